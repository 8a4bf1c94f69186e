from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

CARE_GROUPS = (
    "eldercare_base.group_eldercare_operator,eldercare_base.group_eldercare_worker"
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    eldercare_service_pin = fields.Char(
        string="Service PIN",
        groups=CARE_GROUPS,
        copy=False,
        help="4 to 6 digits the elder tells the provider at the end of a visit; "
        "the provider enters it when finishing, which proves the visit for the "
        "services verified by evidence. Never shown to providers.",
    )

    @api.constrains("eldercare_service_pin")
    def _check_eldercare_service_pin(self):
        for partner in self.sudo():
            pin = partner.eldercare_service_pin
            if pin and not (pin.isdigit() and 4 <= len(pin) <= 6):
                raise ValidationError(
                    _(
                        "The service PIN of %(elder)s must be 4 to 6 digits.",
                        elder=partner.name,
                    )
                )

    def _eldercare_check_service_pin(self, pin):
        """True when ``pin`` is the elder's service PIN (read as the center)."""
        self.ensure_one()
        expected = self.sudo().eldercare_service_pin
        return bool(expected) and str(pin or "").strip() == expected
