"""The operator dashboard (open alerts by urgency, counters) and the answer
rate report figures."""

from datetime import datetime, time

import pytz

from odoo import api, fields, models

from .eldercare_alert import OPEN_STATES, TARGET_60, TARGET_180

# a screen that starts shows at most this many waiting alarms as popups (the
# dashboard lists them all)
PENDING_POPUP_LIMIT = 20


class EldercareAlert(models.Model):
    _inherit = "eldercare.alert"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ dashboard
    @api.model
    def get_dashboard_data(self):
        """Open alerts ordered by urgency plus counters, for the OWL dashboard."""
        now = fields.Datetime.now()
        alerts = self.search([("state", "in", OPEN_STATES)])
        summaries = [alert._eldercare_alert_summary() for alert in alerts]
        far = "9999-12-31 00:00:00"
        summaries.sort(
            key=lambda s: (
                s["state"] != "new",
                s["deadline_state"] != "overdue",
                s["deadline"] or far,
                s["received_at"] or far,
            )
        )
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        local_midnight = tz.localize(
            datetime.combine(fields.Date.context_today(self), time.min)
        )
        today_start = local_midnight.astimezone(pytz.utc).replace(tzinfo=None)
        today = self.search_count([("received_at", ">=", today_start)])
        false_today = self.search_count(
            [("received_at", ">=", today_start), ("state", "=", "false_alarm")]
        )
        counters = {
            "new": sum(1 for s in summaries if s["state"] == "new"),
            "in_progress": sum(1 for s in summaries if s["state"] != "new"),
            "overdue": sum(1 for s in summaries if s["deadline_state"] == "overdue"),
            "warning": sum(1 for s in summaries if s["deadline_state"] == "warning"),
            "mine": sum(
                1
                for s in summaries
                if s["operator"] and s["operator"]["id"] == self.env.uid
            ),
            "today": today,
            "false_alarm_today": false_today,
        }
        rates = self._eldercare_answer_rates(
            [("received_at", ">=", today_start), ("state", "!=", "false_alarm")]
        )
        return {
            "alerts": summaries,
            "counters": counters,
            "rates": rates,
            "server_time": fields.Datetime.to_string(now),
            "on_duty": self.env.user.eldercare_on_duty,
            "no_operator_on_duty": self.env[
                "res.users"
            ]._eldercare_no_operator_on_duty(),
            "uid": self.env.uid,
            "is_supervisor": self._is_supervisor(),
        }

    def get_popup_payload(self):
        """Full popup payload (alert + elder file) for the dashboard detail."""
        self.ensure_one()
        self.check_access("read")
        return self._eldercare_popup_payload()

    @api.model
    def get_pending_popups(self):
        """Popups of the alarms nobody has taken yet, for a screen that starts.

        A popup is a bus message: an alarm raised while an operator's page
        was loading or reloading (or before they came on duty) would
        otherwise never pop up on that screen.  Only the users an alarm pops
        up for get them (the on-duty operators, else supervisors and on-call
        users); the others get an empty list."""
        if self.env.user not in self.env["res.users"]._eldercare_alert_recipients():
            return []
        alerts = self.search(
            [("state", "=", "new"), ("operator_id", "=", False)],
            order="received_at desc, id desc",
            limit=PENDING_POPUP_LIMIT,
        )
        return [alert._eldercare_popup_payload() for alert in alerts]

    # ------------------------------------------------------------------ reports
    @api.model
    def _eldercare_answer_rates(self, domain=None):
        """Share of alerts answered within 60 s / 180 s vs. telecare targets."""
        # the report view leaves alerts still within their limit out (NULL)
        domain = [*(domain or []), ("company_id", "in", self.env.companies.ids)]
        [(count, within_60, within_180)] = (
            self.env["eldercare.alert.report"]
            .sudo()
            ._read_group(
                domain,
                [],
                ["__count", "answered_60_rate:avg", "answered_180_rate:avg"],
            )
        )
        return {
            "count": count,
            "within_60": round(within_60 or 0.0, 1),
            "within_180": round(within_180 or 0.0, 1),
            "target_60": TARGET_60,
            "target_180": TARGET_180,
        }
