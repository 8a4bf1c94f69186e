import logging

from odoo import _, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)


class EldercareAlert(models.Model):
    _inherit = "eldercare.alert"

    eldercare_call_ids = fields.One2many("eldercare.call", "alert_id", "Call Log")

    def _eldercare_call_back_number(self):
        """The number that raised the alert when it is a real number (the
        one-key phone), else the elder's own best number."""
        self.ensure_one()
        if self.caller_number and self.env["eldercare.phone"]._normalize_number(
            self.caller_number
        ):
            return self.caller_number
        if self.elder_id:
            return self.elder_id.sudo()._eldercare_call_number()
        return False

    def _eldercare_call_back_action(self):
        """Emergency's call-back hook (``action_call_back``): really call back
        through the dialer — the operator's phone rings first, then the
        elder's. When the call cannot be queued (no number, no extension), the
        operator still gets the numbers to dial by hand, with the reason.
        Relatives are called by the responder cascade
        (``eldercare_alert_cascade.py``)."""
        self.ensure_one()
        number = self._eldercare_call_back_number()
        if not number or not self.env.user.eldercare_endpoint:
            return super()._eldercare_call_back_action()
        try:
            with self.env.cr.savepoint():
                action = self.env["eldercare.pbx"].click_to_call(
                    number, elder=self.elder_id, alert=self, purpose="call_back"
                )
        except UserError as error:
            _logger.warning("Call back of alert %s failed: %s", self.id, error)
            action = super()._eldercare_call_back_action()
            params = action.setdefault("params", {})
            params["type"] = "warning"
            params["message"] = f"{error} — {params.get('message', '')}"
            return action
        self.message_post(body=_("Call back to %s started.", number))
        return action
