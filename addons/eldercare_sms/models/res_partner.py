from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    eldercare_sms_opt_out = fields.Boolean(
        string="No SMS",
        help="Send this contact no SMS, except for emergencies.",
    )

    def _eldercare_sms_number(self):
        self.ensure_one()
        return self.mobile or self.phone or False

    def _eldercare_sms_recipients(self):
        """One recipient dict per partner (see sms.template._eldercare_send)."""
        return [
            {
                "number": partner._eldercare_sms_number(),
                "lang": partner.lang,
                "opt_out": partner.eldercare_sms_opt_out,
                "partner_id": partner.id,
                "relative_id": False,
            }
            for partner in self
        ]
