import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)


class EldercareAlert(models.Model):
    _inherit = "eldercare.alert"

    eldercare_call_ids = fields.One2many("eldercare.call", "alert_id", "Call Log")
    escalation_ids = fields.One2many(
        "eldercare.alert.escalation",
        "alert_id",
        readonly=True,
        help="Every step of the escalation chain the call rang: when, whom, "
        "and whether it was answered.",
    )

    def _eldercare_alert_summary(self):
        summary = super()._eldercare_alert_summary()
        results = dict(
            self.env["eldercare.alert.escalation"]
            ._fields["result"]
            ._description_selection(self.env)
        )
        summary["escalation"] = [
            {
                "step": row.step,
                "target": row.target,
                "ring_seconds": row.ring_seconds,
                "started_at": fields.Datetime.to_string(row.started_at),
                "result": row.result,
                "result_label": results.get(row.result),
            }
            for row in self.sudo().escalation_ids
        ]
        return summary

    def _eldercare_record_escalation(self, step, target, seconds, started_at):
        """The dialplan started escalation step ``step``: the steps before it
        were not answered."""
        self.ensure_one()
        self.escalation_ids.filtered(lambda r: r.result == "ringing").write(
            {"result": "no_answer"}
        )
        self.env["eldercare.alert.escalation"].create(
            {
                "alert_id": self.id,
                "step": step,
                "target": target,
                "ring_seconds": seconds,
                "started_at": started_at,
            }
        )
        self._broadcast_update()

    def _eldercare_answer_on_take(self):
        """An alert raised by a call is answered when a person picks the call
        up (the call log), not when an operator clicks Take."""
        return super()._eldercare_answer_on_take() and not self.call_linkedid

    def _eldercare_record_pickup(self, answered_at):
        """The call of these alerts was picked up by a person at ``answered_at``."""
        unanswered = self.sudo().filtered(lambda a: not a.answered_at)
        if unanswered:
            unanswered.write({"answered_at": answered_at})
        self._eldercare_close_escalation("answered")

    def _eldercare_close_escalation(self, result):
        ringing = self.sudo().escalation_ids.filtered(lambda r: r.result == "ringing")
        if ringing:
            ringing.write({"result": result})
            self._broadcast_update()

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

    @api.model
    def get_dashboard_data(self):
        """Supervisors also see the telephony bridge: alarms it holds that Odoo
        has not recorded, failing ones, a heartbeat gone silent; an emergency
        queue without a logged-in member counts as nobody on duty."""
        data = super().get_dashboard_data()
        bridges = self.env["eldercare.bridge.status"]._eldercare_dashboard_status()
        data["bridges"] = bridges if data.get("is_supervisor") else []
        return data
