from odoo import api, fields, models


class EldercareRelative(models.Model):
    _inherit = "eldercare.relative"

    @api.model
    def _lang_get(self):
        return self.env["res.lang"].get_installed()

    lang = fields.Selection(
        _lang_get,
        string="SMS Language",
        help="Language of the SMS this relative gets; empty: the elder's.",
    )
    sms_opt_out = fields.Boolean(
        string="No SMS",
        help="Send this relative no SMS, except for emergencies.",
    )

    def _eldercare_sms_recipients(self):
        """One recipient dict per relative (see sms.template._eldercare_send)."""
        return [
            {
                "number": relative.phone or False,
                "lang": relative.lang or relative.partner_id.lang,
                "opt_out": relative.sms_opt_out,
                "partner_id": False,
                "relative_id": relative.id,
            }
            for relative in self
        ]
