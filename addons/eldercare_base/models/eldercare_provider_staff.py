from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class EldercareProviderStaff(models.Model):
    _name = "eldercare.provider.staff"
    _description = "Provider Staff Member"
    _inherit = ["mail.thread"]
    _order = "provider_id, name"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    provider_id = fields.Many2one(
        "res.partner",
        required=True,
        index=True,
        domain=[("is_eldercare_provider", "=", True)],
        ondelete="cascade",
        tracking=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Portal User",
        index=True,
        help="Login of this staff member to see their work orders on the portal.",
    )
    phone = fields.Char()
    product_ids = fields.Many2many(
        "product.product",
        "eldercare_staff_product_rel",
        "staff_id",
        "product_id",
        string="Service Items",
        domain=[("is_eldercare_service", "=", True)],
    )
    area_ids = fields.Many2many(
        "eldercare.area",
        "eldercare_staff_area_rel",
        "staff_id",
        "area_id",
        string="Service Areas",
    )
    active = fields.Boolean(default=True)
    available = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, index=True
    )

    @api.constrains("phone")
    def _check_phone(self):
        normalize = self.env["eldercare.phone"]._normalize_number
        for staff in self:
            if staff.phone and not normalize(staff.phone):
                raise ValidationError(
                    _(
                        "“%(phone)s” is not a valid phone number.",
                        phone=staff.phone[:50],
                    )
                )

    def _covers(self, product, community):
        """True if the staff member can do ``product`` in ``community``."""
        self.ensure_one()
        if self.product_ids and product not in self.product_ids:
            return False
        if self.area_ids and community:
            ancestors = community._get_ancestor_ids()
            if not set(self.area_ids.ids) & ancestors:
                return False
        return True
