from odoo import models


class EldercareAlertCascadeAttempt(models.Model):
    _inherit = "eldercare.alert.cascade.attempt"

    def _send_sms_fallback(self):
        # the relative who missed the call reads "reply 1 if you will go"
        return super(
            EldercareAlertCascadeAttempt,
            self.with_context(eldercare_sms_event="unanswered"),
        )._send_sms_fallback()
