import json
from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.eldercare_base.tests.common import eldercare_user
from odoo.addons.eldercare_emergency.models.eldercare_alert_push import (
    EldercareAlert,
)

from .common import EldercareEmergencyCase

INTAKE_LOGGER = "odoo.addons.eldercare_emergency.models.eldercare_alert_intake"


@tagged("post_install", "-at_install")
class TestIntakeDecoration(EldercareEmergencyCase):
    """Raising an alert never depends on its popup or its chatter."""

    def _raise(self, linkedid, caller="13011110001"):
        return self.Alert._raise_from_calls(
            [{"linkedid": linkedid, "caller_number": caller, "did": "96101"}]
        )[0]

    def test_failing_popup_keeps_the_alert_and_is_retried(self):
        def broken(alert):
            raise ValueError("popup template broken")

        with (
            patch.object(EldercareAlert, "_eldercare_popup_payload", broken),
            mute_logger(INTAKE_LOGGER),
        ):
            alert = self._raise("deco-popup-1")
        # the alarm is recorded, with its chatter, and flagged for the retry
        self.assertTrue(alert.exists())
        self.assertEqual(alert.elder_id, self.elder)
        self.assertTrue(alert.popup_pending)
        self.assertFalse(alert.chatter_pending)
        self.assertIn("ValueError", alert.decoration_error)
        self.assertIn("raised by a call", alert.message_ids[0].body)
        self.assertFalse(self._bus_messages("eldercare_alert_popup", self.operator))
        # the template is fixed: the next cron pass pushes the popup once
        self.Alert._cron_retry_decoration()
        popups = self._bus_messages("eldercare_alert_popup", self.operator)
        self.assertEqual(len(popups), 1)
        self.assertEqual(json.loads(popups.message)["payload"]["alert"]["id"], alert.id)
        self.assertFalse(alert.popup_pending)
        self.assertFalse(alert.decoration_error)
        self.Alert._cron_retry_decoration()
        self.assertEqual(
            len(self._bus_messages("eldercare_alert_popup", self.operator)), 1
        )

    def test_failing_chatter_keeps_the_alert_and_its_popup(self):
        real = type(self.Alert)._message_log_batch

        def broken(records, *args, **kwargs):
            raise RuntimeError("mail storage full")

        with (
            patch.object(type(self.Alert), "_message_log_batch", broken),
            mute_logger(INTAKE_LOGGER),
        ):
            alert = self._raise("deco-chatter-1", caller="13512345678")
        self.assertTrue(alert.exists())
        self.assertTrue(alert.chatter_pending)
        self.assertFalse(alert.popup_pending)
        self.assertTrue(self._bus_messages("eldercare_alert_popup", self.operator))
        self.assertFalse(alert.message_ids)
        with patch.object(type(self.Alert), "_message_log_batch", real):
            self.Alert._cron_retry_decoration()
        self.assertFalse(alert.chatter_pending)
        bodies = " ".join(alert.message_ids.mapped("body"))
        self.assertIn("raised by a call", bodies)
        self.assertIn("not on file", bodies)

    def test_one_failing_alert_never_holds_the_others_in_the_retry(self):
        with (
            patch.object(
                EldercareAlert,
                "_eldercare_popup_payload",
                lambda a: (_ for _ in ()).throw(ValueError("x")),
            ),
            mute_logger(INTAKE_LOGGER),
        ):
            first = self._raise("deco-many-1")
            second = self._raise("deco-many-2", caller="13512345678")
        self.assertTrue(first.popup_pending and second.popup_pending)
        real = EldercareAlert._eldercare_popup_payload

        def only_second_works(alert):
            if alert == first:
                raise ValueError("still broken")
            return real(alert)

        with (
            patch.object(EldercareAlert, "_eldercare_popup_payload", only_second_works),
            mute_logger(INTAKE_LOGGER),
        ):
            self.Alert._cron_retry_decoration()
        self.assertTrue(first.popup_pending)
        self.assertEqual(first.decoration_attempts, 2)
        self.assertFalse(second.popup_pending)

    def test_voice_menu_alarm_is_an_emergency_call(self):
        alert = self.Alert._raise_from_calls(
            [
                {
                    "linkedid": "ivr-type-1",
                    "caller_number": "13011110001",
                    "channel": "ivr",
                }
            ]
        )[0]
        self.assertEqual(alert.type_id, self.type_emergency)
        self.assertTrue(alert.deadline)


@tagged("post_install", "-at_install")
class TestNobodyOnDuty(EldercareEmergencyCase):
    def test_alert_with_nobody_on_duty_pops_up_for_supervisors_and_on_call(self):
        self.env["res.users"].search(
            [("eldercare_on_duty", "=", True)]
        ).eldercare_on_duty = False
        on_call = eldercare_user(self.env, "ec_on_call", "Night On-call Ma", "operator")
        on_call.eldercare_on_call = True
        self.Alert._raise_from_calls(
            [{"linkedid": "nobody-1", "caller_number": "13011110001"}]
        )
        self.assertTrue(self._bus_messages("eldercare_alert_popup", self.supervisor))
        self.assertTrue(self._bus_messages("eldercare_alert_popup", on_call))
        self.assertFalse(self._bus_messages("eldercare_alert_popup", self.operator))
        data = self.Alert.with_user(self.supervisor).get_dashboard_data()
        self.assertTrue(data["no_operator_on_duty"])
        # the supervisors' systray asks the same question
        status = (
            self.env["res.users"].with_user(self.supervisor).eldercare_duty_status()
        )
        self.assertEqual(status, {"no_operator_on_duty": True})

    def test_supervisors_get_no_popup_while_an_operator_is_on_duty(self):
        self.Alert._raise_from_calls(
            [{"linkedid": "somebody-1", "caller_number": "13011110001"}]
        )
        self.assertTrue(self._bus_messages("eldercare_alert_popup", self.operator))
        self.assertFalse(self._bus_messages("eldercare_alert_popup", self.supervisor))
        data = self.Alert.with_user(self.supervisor).get_dashboard_data()
        self.assertFalse(data["no_operator_on_duty"])
        status = (
            self.env["res.users"].with_user(self.supervisor).eldercare_duty_status()
        )
        self.assertFalse(status["no_operator_on_duty"])


@tagged("post_install", "-at_install")
class TestEvidence(EldercareEmergencyCase):
    """Timestamps, caller, call id and state are written by the system only."""

    def test_operator_cannot_rewrite_the_evidence(self):
        alert = self._raise_from_call_as_bridge()
        as_operator = alert.with_user(self.operator)
        as_operator.action_take()
        for vals in (
            {"received_at": "2020-01-01 00:00:00"},
            {"answered_at": "2020-01-01 00:00:05"},
            {"taken_at": "2020-01-01 00:00:05"},
            {"caller_number": "13000000000"},
            {"call_linkedid": "forged"},
            {"state": "closed"},
        ):
            with self.assertRaisesRegex(AccessError, "recorded by the system"):
                as_operator.write(vals)
        # a supervisor neither
        with self.assertRaisesRegex(AccessError, "recorded by the system"):
            alert.with_user(self.supervisor).write({"received_at": "2020-01-01"})
        self.assertNotEqual(str(alert.received_at)[:4], "2020")
        # what people do write still works, and the buttons still record
        as_operator.write({"description": "Elder fell in the kitchen"})
        as_operator.action_confirm()
        self.assertEqual(alert.state, "confirmed")
        self.assertTrue(alert.confirmed_at)

    def test_evidence_changes_are_tracked_with_the_user_as_author(self):
        alert = self._raise_from_call_as_bridge().with_context(tracking_disable=False)
        alert.with_user(self.operator).action_take()
        alert.with_user(self.operator).action_confirm()
        self.env.cr.precommit.run()  # tracking values are written at commit
        tracked = alert.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "state"
        )
        self.assertTrue(tracked)
        self.assertEqual(tracked[0].mail_message_id.author_id, self.operator.partner_id)

    def test_take_is_recorded_apart_from_the_answer_of_a_manual_alert(self):
        alert = self._new_alert().with_user(self.operator)
        alert.action_take()
        self.assertTrue(alert.taken_at)
        # no call: taking the alert is answering it
        self.assertEqual(alert.answered_at, alert.taken_at)

    def _raise_from_call_as_bridge(self):
        return self.Alert._raise_from_calls(
            [{"linkedid": "evidence-1", "caller_number": "13011110001"}]
        )[0]
