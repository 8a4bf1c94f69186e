"""Deadlines of open alerts: reminders, overdue marks and escalation to
supervisors (the cron)."""

from odoo import api, fields, models

from .eldercare_alert import OPEN_STATES


class EldercareAlert(models.Model):
    _inherit = "eldercare.alert"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ deadlines
    def _eldercare_clear_deadline_activities(self):
        self.activity_unlink(
            [
                "eldercare_emergency.mail_activity_alert_reminder",
                "eldercare_emergency.mail_activity_alert_escalation",
            ]
        )

    def _eldercare_check_deadlines(self, now=None):
        """Remind before the feedback deadline, escalate on breach (once each)."""
        now = now or fields.Datetime.now()
        todo = self.filtered(
            lambda a: a.state in OPEN_STATES
            and a.deadline
            and not (a.result or "").strip()
            and (
                (not a.escalated and a.deadline <= now)
                or (not a.reminder_sent and a.reminder_at and a.reminder_at <= now)
            )
        )
        if not todo:
            return
        # activities and flags are written as superuser-independent system work
        todo = todo.sudo().with_context(eldercare_no_deadline_check=True)
        supervisors = self.env["res.users"]._eldercare_supervisors()
        escalated = reminded = todo.browse()
        for alert in todo:
            elder = alert.elder_id.name or alert.caller_number or ""
            if not alert.escalated and alert.deadline <= now:
                for user in supervisors:
                    # written in the recipient's language, not the cron's
                    env = alert.with_context(lang=user.lang or "en_US").env
                    alert.activity_schedule(
                        "eldercare_emergency.mail_activity_alert_escalation",
                        user_id=user.id,
                        summary=env._(
                            "Overdue alert %(alert)s (%(elder)s)",
                            alert=alert.name,
                            elder=elder,
                        ),
                        note=env._(
                            "The feedback deadline of this %(type)s alert has passed "
                            "without a result.",
                            type=alert.type_id.with_env(env).name,
                        ),
                    )
                company_env = alert.with_context(
                    lang=alert.company_id.partner_id.lang or "en_US"
                ).env
                alert.message_post(
                    body=company_env._(
                        "Feedback deadline breached: escalated to the supervisor."
                    ),
                    subtype_xmlid="mail.mt_note",
                )
                escalated |= alert
            elif not alert.reminder_sent:
                users = alert._eldercare_assignees() | supervisors
                for user in users:
                    env = alert.with_context(lang=user.lang or "en_US").env
                    alert.activity_schedule(
                        "eldercare_emergency.mail_activity_alert_reminder",
                        user_id=user.id,
                        date_deadline=fields.Date.context_today(alert),
                        summary=env._(
                            "Deadline approaching: %(alert)s (%(elder)s)",
                            alert=alert.name,
                            elder=elder,
                        ),
                        note=env._(
                            "Feedback is due for this %(type)s alert; record the "
                            "result before the deadline.",
                            type=alert.type_id.with_env(env).name,
                        ),
                    )
                reminded |= alert
        escalated.write({"escalated": True, "is_overdue": True, "reminder_sent": True})
        reminded.write({"reminder_sent": True})
        (escalated | reminded)._broadcast_update()

    @api.model
    def _cron_check_deadlines(self):
        now = fields.Datetime.now()
        alerts = self.search(
            [
                ("state", "in", OPEN_STATES),
                ("deadline", "!=", False),
                "|",
                "&",
                ("escalated", "=", False),
                ("deadline", "<=", now),
                "&",
                ("reminder_sent", "=", False),
                ("reminder_at", "<=", now),
            ]
        )
        alerts._eldercare_check_deadlines(now)
        return True

    def _deadline_state(self, now=None):
        self.ensure_one()
        now = now or fields.Datetime.now()
        if self.state not in OPEN_STATES or not self.deadline:
            return "none"
        if self.is_overdue or self.deadline <= now:
            return "overdue"
        if self.reminder_at and self.reminder_at <= now:
            return "warning"
        return "ok"
