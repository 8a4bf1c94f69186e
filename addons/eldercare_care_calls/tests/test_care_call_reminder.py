from datetime import date, datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .care_call_common import CareCallCase


@tagged("post_install", "-at_install")
@freeze_time("2026-12-01 01:00:00")  # 09:00 in Shanghai
class TestReminderCalls(CareCallCase):
    def test_birthday_greeting_call_besides_the_activity(self):
        self.elder_a.birthdate = date(1946, 12, 1)
        Partner = self.env["res.partner"]
        Partner._cron_eldercare_care_reminders(date=date(2026, 12, 1))
        birthday = self.env.ref("eldercare_base.mail_activity_type_birthday")
        self.assertIn(birthday, self.elder_a.activity_ids.activity_type_id)
        call = self.Call.search([("elder_id", "=", self.elder_a.id)])
        self.assertEqual(call.kind, "birthday")
        Partner._cron_eldercare_care_reminders(date=date(2026, 12, 1))
        self.assertEqual(
            self.Call.search_count([("elder_id", "=", self.elder_a.id)]), 1, "once"
        )
        dial = self.place(call)
        self.assertEqual(dial["exten"], "birthday")
        self.assertEqual(dial["say_text"], "张秀英")
        self.assertIn("eldercare/birthday-wish", dial["prompt"])
        self.answer(dial, digit="1")  # please call me back
        self.assertEqual(call.state, "done")
        todo = self.followups(self.elder_a)
        self.assertEqual(todo.user_id, self.worker)
        self.assertIn("called back", todo.summary)

    def test_greeting_heard_without_key_is_done(self):
        self.elder_a.birthdate = date(1946, 12, 1)
        self.Call._eldercare_schedule_reminders(date=date(2026, 12, 1))
        call = self.Call.search([("elder_id", "=", self.elder_a.id)])
        self.answer(self.place(call))
        self.assertEqual(call.state, "done")
        self.assertFalse(self.followups(self.elder_a))

    def test_reminder_the_day_before_a_service_once(self):
        # tomorrow 10:30 in Shanghai
        order = self.make_order(date_scheduled=datetime(2026, 12, 2, 2, 30))
        order.action_assign()
        later = self.make_order(date_scheduled=datetime(2026, 12, 3, 2, 30))
        later.action_assign()
        self.env["res.partner"]._cron_eldercare_care_reminders(date=date(2026, 12, 1))
        mine = [("work_order_id", "in", (order | later).ids)]
        call = self.Call.search(mine)
        self.assertEqual(call.work_order_id, order, "only tomorrow's order")
        self.assertEqual(call.kind, "service_reminder")
        self.Call._eldercare_schedule_reminders(date=date(2026, 12, 1))
        self.assertEqual(self.Call.search_count(mine), 1, "once")
        dial = self.place(call)
        self.assertEqual(dial["exten"], "service_reminder")
        self.assertTrue(dial["say_text"].endswith("10点30分"), dial["say_text"])
        self.answer(dial, digit="2")  # cannot be at home
        todo = self.followups(order)
        self.assertEqual(todo.user_id, self.coordinator)
        self.assertIn("change", todo.summary)

    def test_confirmed_reminder_is_noted(self):
        order = self.make_order(date_scheduled=datetime(2026, 12, 2, 2, 30))
        order.action_assign()
        self.Call._eldercare_schedule_reminders(date=date(2026, 12, 1))
        call = self.Call.search([("work_order_id", "=", order.id)])
        self.answer(self.place(call), digit="1")
        self.assertFalse(self.followups(order))
        self.assertIn("reminded", order.message_ids[0].body)
