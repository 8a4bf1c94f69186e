from odoo import api, fields, models


class EldercareRelative(models.Model):
    """Relative or emergency contact of an elder, ordered for the call cascade."""

    _name = "eldercare.relative"
    _description = "Elder Relative / Emergency Contact"
    _order = "partner_id, sequence, id"

    sequence = fields.Integer(
        string="Priority",
        default=10,
        help="Lower numbers are called first in the emergency call cascade.",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Elder", required=True, index=True, ondelete="cascade"
    )
    name = fields.Char(required=True)
    relation = fields.Selection(
        [
            ("son", "Son"),
            ("daughter", "Daughter"),
            ("spouse", "Spouse"),
            ("son_in_law", "Son-in-law"),
            ("daughter_in_law", "Daughter-in-law"),
            ("grandchild", "Grandchild"),
            ("sibling", "Sibling"),
            ("neighbour", "Neighbour"),
            ("friend", "Friend"),
            ("other", "Other"),
        ],
        required=True,
        default="son",
    )
    phone = fields.Char()
    phone_e164 = fields.Char(
        string="Normalised Phone", compute="_compute_phone_e164", store=True
    )
    work_unit = fields.Char(help="Employer / work unit")
    address = fields.Char()
    is_emergency_contact = fields.Boolean(string="Emergency Contact", default=True)
    availability = fields.Char(
        string="When to Call",
        help="When the relative can be called in an emergency call-out, e.g. "
        "“weekdays after 18:00, weekends all day”. Relatives with a portal "
        "login keep it up to date themselves.",
    )
    note = fields.Char()

    @api.depends("phone")
    def _compute_phone_e164(self):
        normalize = self.env["eldercare.phone"]._normalize_number
        for relative in self:
            relative.phone_e164 = normalize(relative.phone) or False
