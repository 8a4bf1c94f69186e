from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .care_call_common import CareCallCase


@tagged("post_install", "-at_install")
class TestSurveyCall(CareCallCase):
    def test_score_two_lands_on_order_and_asks_the_coordinator(self):
        order = self.finish(self.make_order())
        call = order.survey_call_ids
        self.assertEqual(len(call), 1, "one survey call when the work is done")
        self.assertEqual(call.state, "waiting")
        self.assertEqual(call.number, "13900001111", "the elder's best number")
        dial = self.place(call)
        self.assertEqual(dial["context"], "eldercare-dialer")
        self.assertEqual(dial["exten"], "survey")
        self.assertTrue(dial["automated"])
        self.assertIn("eldercare/survey-ask", dial["prompt"])
        self.assertEqual(
            dial["say_text"],
            self.plumbing.with_context(lang=call._care_say_lang()).name,
        )
        self.assertEqual(call.state, "calling")
        self.answer(dial, digit="2")
        self.assertEqual(order.satisfaction, "2")
        self.assertEqual(order.satisfaction_score, 2)
        self.assertEqual(call.state, "done")
        self.assertEqual(call.score, 2)
        todo = self.followups(order)
        self.assertEqual(todo.user_id, self.coordinator)
        self.assertIn("2/5", todo.summary)
        # the provider's rating used by dispatch comes from the order
        _loads, ratings = order._eldercare_provider_stats(self.provider_1.ids)
        self.assertEqual(ratings[self.provider_1.id], 2.0)
        self.assertEqual(order.state, "done", "plumbing is verified by a coordinator")

    def test_good_score_needs_no_follow_up(self):
        order = self.finish(self.make_order())
        self.answer(self.place(order.survey_call_ids), digit="5")
        self.assertEqual(order.satisfaction, "5")
        self.assertFalse(self.followups(order))

    def test_survey_answer_verifies_a_survey_verified_order(self):
        self.nanny.eldercare_verification = "survey"
        order = self.finish(self.make_order(product=self.nanny))
        self.assertEqual(order.state, "done")
        self.answer(self.place(order.survey_call_ids), digit="4")
        self.assertEqual(order.state, "verified")
        self.assertEqual(order.verified_via, "survey")
        self.assertEqual(order.satisfaction, "4")

    @freeze_time("2026-12-01 02:00:00")
    def test_no_answer_is_retried_then_nothing_is_invented(self):
        order = self.finish(self.make_order())
        call = order.survey_call_ids
        self.answer(self.place(call), result="no_answer")
        self.assertEqual(call.state, "waiting")
        self.assertEqual(call.result, "no_answer")
        self.assertEqual(call.next_call_at, datetime(2026, 12, 1, 2, 20))
        self.assertIsNone(self.place(call), "not called before the retry time")
        with freeze_time("2026-12-01 02:21:00"):
            # answered, but a key that is no score: called again
            self.answer(self.place(call), digit="8")
            self.assertEqual(call.state, "waiting")
            self.assertEqual(call.result, "no_digit")
        with freeze_time("2026-12-01 02:42:00"):
            self.answer(self.place(call), result="busy")
        self.assertEqual(call.state, "failed")
        self.assertEqual(call.attempt_count, 3)
        self.assertFalse(order.satisfaction)
        self.assertIn("Not reached after 3", order.message_ids[0].body)
        with freeze_time("2026-12-02 02:00:00"):
            self.assertIsNone(self.place(call))
        self.assertEqual(len(call.request_ids), 3)

    def test_order_sent_back_is_not_surveyed(self):
        order = self.finish(self.make_order())
        order.action_reopen()
        call = order.survey_call_ids
        self.assertIsNone(self.place(call))
        self.assertEqual(call.state, "cancelled")
        self.assertIn("No longer needed", call.note)

    def test_recorded_by_hand_cancels_the_call(self):
        order = self.finish(self.make_order())
        order.write({"satisfaction": "3"})
        self.assertEqual(order.survey_call_ids.state, "cancelled")
        self.assertIsNone(self.place(order.survey_call_ids))
        self.assertEqual(order.satisfaction, "3")

    def test_hand_recorded_answer_is_not_overwritten(self):
        order = self.finish(self.make_order())
        dial = self.place(order.survey_call_ids)
        order.write({"satisfaction": "4"})  # the operator called meanwhile
        self.answer(dial, digit="1")
        self.assertEqual(order.satisfaction, "4")
        self.assertIn("was kept", order.survey_call_ids.note)

    def test_survey_after_verification_when_configured(self):
        self.plumbing.eldercare_survey_call = "verified"
        order = self.finish(self.make_order())
        self.assertFalse(order.survey_call_ids)
        order.action_verify()
        self.assertEqual(order.survey_call_ids.state, "waiting")
        self.answer(self.place(order.survey_call_ids), digit="5")
        self.assertEqual(order.satisfaction, "5")

    def test_no_survey_item_and_once_per_order(self):
        self.gas.eldercare_survey_call = "none"
        order = self.finish(self.make_order(product=self.gas))
        self.assertFalse(order.survey_call_ids)
        order = self.finish(self.make_order())
        order._eldercare_schedule_survey()
        self.assertEqual(len(order.survey_call_ids), 1)

    def test_survey_verified_item_cannot_wait_for_verification(self):
        self.nanny.eldercare_verification = "survey"
        with self.assertRaisesRegex(ValidationError, "verified by the elder's answer"):
            self.nanny.eldercare_survey_call = "verified"

    def test_quiet_hours_hold_the_call(self):
        self.env["ir.config_parameter"].set_param(
            "eldercare_care_calls.quiet_hours", "20:00-08:00"
        )
        # 22:30 in Shanghai = 14:30 UTC
        with freeze_time("2026-12-01 14:30:00"):
            order = self.finish(self.make_order())
            call = order.survey_call_ids
            self.assertIsNone(self.place(call))
            self.assertEqual(call.state, "waiting")
            # 08:00 Shanghai = 00:00 UTC the next day
            self.assertEqual(call.next_call_at, datetime(2026, 12, 2, 0, 0))
            with self.assertRaisesRegex(UserError, "quiet hours"):
                call.action_call_now()
        with freeze_time("2026-12-02 00:01:00"):
            self.assertTrue(self.place(call))

    def test_holiday_moves_the_call_to_the_next_working_day(self):
        self.env["ir.config_parameter"].set_param(
            "eldercare_care_calls.quiet_hours", "20:00-08:00"
        )
        self.env["eldercare.holiday"].create({"name": "测试假日", "date": "2026-12-02"})
        # 22:30 in Shanghai on 1 December: quiet until 08:00 on the 2nd, a
        # holiday: the call waits for 08:00 on the 3rd (00:00 UTC)
        with freeze_time("2026-12-01 14:30:00"):
            order = self.finish(self.make_order())
            call = order.survey_call_ids
            self.assertIsNone(self.place(call))
            self.assertEqual(call.next_call_at, datetime(2026, 12, 3, 0, 0))
        with freeze_time("2026-12-02 03:00:00"):  # 11:00 on the holiday
            self.assertIsNone(self.place(call), "no care call on a holiday")
        with freeze_time("2026-12-03 00:01:00"):
            self.assertTrue(self.place(call))

    def test_call_now_button(self):
        self.env["ir.config_parameter"].set_param(
            "eldercare_care_calls.survey_delay_minutes", "60"
        )
        order = self.finish(self.make_order())
        call = order.survey_call_ids
        self.assertIsNone(self.place(call), "an hour after the work")
        call.with_user(self.coordinator).action_call_now()
        self.assertEqual(call.state, "calling")
        with self.assertRaisesRegex(UserError, "not waiting"):
            call.action_call_now()

    def test_no_number_is_said(self):
        self.elder_b.worker_id = self.worker
        order = self.finish(self.make_order(elder_id=self.elder_b.id))
        call = order.survey_call_ids
        self.assertFalse(call.number)
        self.assertIsNone(self.place(call))
        self.assertEqual(call.state, "failed")
        self.assertEqual(call.result, "no_number")

    def test_survey_report_averages_per_provider(self):
        for digit in ("2", "4"):
            order = self.finish(self.make_order())
            self.answer(self.place(order.survey_call_ids), digit=digit)
        groups = self.Call._read_group(
            [("kind", "=", "survey"), ("provider_id", "=", self.provider_1.id)],
            ["provider_id"],
            ["score:avg"],
        )
        self.assertEqual(groups[0][1], 3.0)
        groups = self.env["eldercare.work.order"]._read_group(
            [("provider_id", "=", self.provider_1.id), ("satisfaction", "!=", False)],
            ["provider_id"],
            ["satisfaction_score:avg"],
        )
        self.assertEqual(groups[0][1], 3.0)
