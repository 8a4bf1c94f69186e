from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

AREA_LEVELS = [
    ("city", "City"),
    ("district", "District"),
    ("street", "Street"),
    ("community", "Community"),
]
LEVEL_RANK = {code: rank for rank, (code, _label) in enumerate(AREA_LEVELS)}


class EldercareArea(models.Model):
    """Administrative area: city > district > street > community."""

    _name = "eldercare.area"
    _description = "Eldercare Area"
    _parent_name = "parent_id"
    _parent_store = True
    _rec_name = "complete_name"
    _order = "complete_name"

    name = fields.Char(required=True, translate=True)
    level = fields.Selection(AREA_LEVELS, required=True, default="community")
    parent_id = fields.Many2one(
        "eldercare.area", string="Parent Area", index=True, ondelete="restrict"
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("eldercare.area", "parent_id", string="Sub-areas")
    complete_name = fields.Char(
        compute="_compute_complete_name", store=True, recursive=True
    )
    code = fields.Char(help="Administrative division code, optional.")
    active = fields.Boolean(default=True)
    # the area itself or its ancestor at each level: records that carry a
    # community get their street / district / city as stored related fields
    area_street_id = fields.Many2one(
        "eldercare.area",
        string="Street (Area)",
        compute="_compute_level_ancestors",
        store=True,
        recursive=True,
        index=True,
    )
    area_district_id = fields.Many2one(
        "eldercare.area",
        string="District (Area)",
        compute="_compute_level_ancestors",
        store=True,
        recursive=True,
        index=True,
    )
    area_city_id = fields.Many2one(
        "eldercare.area",
        string="City (Area)",
        compute="_compute_level_ancestors",
        store=True,
        recursive=True,
        index=True,
    )
    elder_ids = fields.One2many("res.partner", "community_id", string="Elders")
    elder_count = fields.Integer(compute="_compute_elder_count")

    _sql_constraints = [
        (
            "name_parent_uniq",
            "unique(name, parent_id)",
            "An area with this name already exists under the same parent.",
        ),
    ]

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for area in self:
            if area.parent_id:
                area.complete_name = f"{area.parent_id.complete_name} / {area.name}"
            else:
                area.complete_name = area.name

    @api.depends(
        "level",
        "parent_id.area_street_id",
        "parent_id.area_district_id",
        "parent_id.area_city_id",
    )
    def _compute_level_ancestors(self):
        for area in self:
            parent = area.parent_id
            for level in ("street", "district", "city"):
                name = f"area_{level}_id"
                area[name] = area if area.level == level else parent[name]

    def _compute_elder_count(self):
        counts = dict(
            self.env["res.partner"]._read_group(
                [("is_elder", "=", True), ("community_id", "in", self.ids)],
                ["community_id"],
                ["__count"],
            )
        )
        for area in self:
            area.elder_count = counts.get(area, 0)

    @api.constrains("parent_id")
    def _check_parent_id(self):
        if self._has_cycle():
            raise ValidationError(_("An area cannot be its own ancestor."))

    @api.constrains("level", "parent_id")
    def _check_level(self):
        for area in self.filtered("parent_id"):
            if LEVEL_RANK[area.parent_id.level] >= LEVEL_RANK[area.level]:
                raise ValidationError(
                    _(
                        "The area %(area)s (%(level)s) cannot be placed under "
                        "%(parent)s (%(parent_level)s): a parent must be a "
                        "higher level (city > district > street > community).",
                        area=area.name,
                        level=dict(AREA_LEVELS)[area.level],
                        parent=area.parent_id.name,
                        parent_level=dict(AREA_LEVELS)[area.parent_id.level],
                    )
                )

    def _get_ancestor_ids(self):
        """Ids of the areas and all their ancestors (parent_path based)."""
        ids = set()
        for area in self:
            ids.update(int(x) for x in (area.parent_path or "").split("/") if x)
            ids.add(area.id)
        return ids

    def _get_ancestor(self, level):
        """Return the ancestor (or self) at the given level, empty if none."""
        self.ensure_one()
        area = self
        while area and area.level != level:
            area = area.parent_id
        return area

    def action_view_elders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "eldercare_base.res_partner_elder_action"
        )
        action["domain"] = [
            ("is_elder", "=", True),
            ("community_id", "child_of", self.id),
        ]
        return action
