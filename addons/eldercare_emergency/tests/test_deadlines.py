from freezegun import freeze_time

from odoo.tests import tagged

from .common import EldercareEmergencyCase


@tagged("post_install", "-at_install")
class TestAlertDeadlines(EldercareEmergencyCase):
    def _activities(self, alert, xmlid, user=None):
        activity_type = self.env.ref(xmlid)
        activities = alert.activity_ids.filtered(
            lambda a: a.activity_type_id == activity_type
        )
        if user:
            activities = activities.filtered(lambda a: a.user_id == user)
        return activities

    def test_reminder_then_escalation_once(self):
        reminder = "eldercare_emergency.mail_activity_alert_reminder"
        escalation = "eldercare_emergency.mail_activity_alert_escalation"
        with freeze_time("2026-11-20 08:00:00"):
            # care: feedback 30 min, reminder 10 min before
            alert = self._new_alert(type_id=self.type_care.id)
            alert.with_user(self.operator).action_confirm()
            self.Alert._cron_check_deadlines()
            self.assertFalse(alert.reminder_sent)
            self.assertFalse(alert.activity_ids)
        with freeze_time("2026-11-20 08:19:59"):
            self.Alert._cron_check_deadlines()
            self.assertFalse(alert.reminder_sent)
        with freeze_time("2026-11-20 08:20:30"):
            self.Alert._cron_check_deadlines()
            self.assertTrue(alert.reminder_sent)
            self.assertFalse(alert.is_overdue)
            self.assertTrue(self._activities(alert, reminder, self.operator))
            self.assertTrue(self._activities(alert, reminder, self.supervisor))
            data = self.Alert.with_user(self.operator).get_dashboard_data()
            row = next(a for a in data["alerts"] if a["id"] == alert.id)
            self.assertEqual(row["deadline_state"], "warning")
            # idempotent: the next runs do not remind again
            self.Alert._cron_check_deadlines()
            self.Alert._cron_check_deadlines()
            self.assertEqual(len(self._activities(alert, reminder, self.operator)), 1)
        with freeze_time("2026-11-20 08:30:01"):
            self.Alert._cron_check_deadlines()
            self.assertTrue(alert.is_overdue)
            self.assertTrue(alert.escalated)
            self.assertEqual(
                len(self._activities(alert, escalation, self.supervisor)), 1
            )
            self.assertFalse(self._activities(alert, escalation, self.operator))
            self.Alert._cron_check_deadlines()
            self.assertEqual(
                len(self._activities(alert, escalation, self.supervisor)), 1
            )
        with freeze_time("2026-11-20 08:45:00"):
            alert.result = "Late, but the elder was visited"
            alert.with_user(self.operator).action_resolve()
            # resolving clears the deadline to-dos; the overdue mark stays
            self.assertFalse(self._activities(alert, escalation))
            self.assertTrue(alert.is_overdue)

    def test_breach_checked_on_write_and_skips_reminder(self):
        with freeze_time("2026-11-20 08:00:00"):
            alert = self._new_alert(type_id=self.type_fall.id)  # 5 min deadline
        with freeze_time("2026-11-20 08:06:00"):
            # no cron run: any write checks the deadline
            alert.with_user(self.operator).description = "Elder not answering"
            self.assertTrue(alert.is_overdue)
            self.assertTrue(alert.escalated)
            self.assertTrue(
                self._activities(
                    alert,
                    "eldercare_emergency.mail_activity_alert_escalation",
                    self.supervisor,
                )
            )
            self.assertFalse(
                self._activities(
                    alert, "eldercare_emergency.mail_activity_alert_reminder"
                )
            )

    def test_result_or_closed_stops_reminders(self):
        with freeze_time("2026-11-20 08:00:00"):
            with_result = self._new_alert(type_id=self.type_care.id)
            with_result.with_user(self.operator).action_confirm()
            with_result.result = "Daughter already there"
            false_alarm = self._new_alert(type_id=self.type_care.id)
            false_alarm.with_user(self.operator).action_false_alarm("test call")
        with freeze_time("2026-11-20 09:00:00"):
            self.Alert._cron_check_deadlines()
            self.assertFalse(with_result.reminder_sent or with_result.is_overdue)
            self.assertFalse(false_alarm.reminder_sent or false_alarm.is_overdue)

    def test_dispatched_assignee_is_reminded(self):
        with freeze_time("2026-11-20 08:00:00"):
            alert = self._new_alert(type_id=self.type_care.id)
            alert.with_user(self.operator).action_confirm()
            alert.with_user(self.operator)._dispatch(user=self.worker)
        with freeze_time("2026-11-20 08:21:00"):
            self.Alert._cron_check_deadlines()
            self.assertTrue(
                self._activities(
                    alert,
                    "eldercare_emergency.mail_activity_alert_reminder",
                    self.worker,
                )
            )

    def test_cron_record(self):
        cron = self.env.ref("eldercare_emergency.ir_cron_eldercare_alert_deadlines")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "minutes"))
        self.assertTrue(cron.active)


@tagged("post_install", "-at_install")
class TestDeadlineLanguage(EldercareEmergencyCase):
    def test_reminders_are_written_in_each_recipient_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"].search(
            [("name", "=", "eldercare_emergency")]
        )._update_translations(["zh_CN"])
        self.supervisor.lang = "zh_CN"
        reminder = self.env.ref("eldercare_emergency.mail_activity_alert_reminder")
        with freeze_time("2026-11-20 08:00:00"):
            alert = self._new_alert(type_id=self.type_care.id)
            alert.with_user(self.operator).action_confirm()
        with freeze_time("2026-11-20 08:20:30"):
            self.Alert._cron_check_deadlines()
        activities = alert.activity_ids.filtered(
            lambda a: a.activity_type_id == reminder
        )
        chinese = activities.filtered(lambda a: a.user_id == self.supervisor)
        english = activities.filtered(lambda a: a.user_id == self.operator)
        self.assertTrue(chinese.summary.startswith("时限将到："), chinese.summary)
        self.assertTrue(english.summary.startswith("Deadline approaching:"))

    def test_creation_note_in_the_center_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"].search(
            [("name", "=", "eldercare_emergency")]
        )._update_translations(["zh_CN"])
        self.env.company.partner_id.lang = "zh_CN"
        alert = self.Alert.with_context(tracking_disable=False).create(
            {"elder_id": self.elder.id, "type_id": self.type_care.id}
        )
        self.assertIn("紧急报警 创建", alert.message_ids[-1].body)
