from unittest.mock import patch

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.eldercare_base.tests.common import eldercare_user

from .common import EldercarePbxCase

ALERT = "odoo.addons.eldercare_emergency.models.eldercare_alert_state.EldercareAlert"


@tagged("post_install", "-at_install", "eldercare_asterisk")
class TestCascade(EldercarePbxCase):
    """Responder cascade, driven the way the bridge's dialer drives it: through
    ``dial_sync`` reports."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.worker = eldercare_user(
            cls.env, "ec_cascade_worker", "社区 王工", "operator"
        )
        cls.worker.partner_id.mobile = "13700008004"
        cls.supervisor = eldercare_user(
            cls.env,
            "ec_cascade_supervisor",
            "Cascade Supervisor",
            "supervisor",
        )
        cls.elder.write(
            {
                "worker_id": cls.worker.id,
                "spouse_name": "老伴 李",
                "spouse_phone": "13700008003",
                "relative_ids": [
                    Command.clear(),
                    Command.create(
                        {
                            "name": "次子",
                            "relation": "son",
                            "phone": "13700008002",
                            "sequence": 20,
                        }
                    ),
                    Command.create(
                        {
                            "name": "长女",
                            "relation": "daughter",
                            "phone": "13700008001",
                            "sequence": 10,
                        }
                    ),
                    Command.create(
                        {
                            "name": "邻居",
                            "relation": "neighbour",
                            "phone": "13700008005",
                            "is_emergency_contact": False,
                        }
                    ),
                    Command.create(
                        {
                            "name": "No Phone",
                            "relation": "friend",
                            "is_emergency_contact": False,
                        }
                    ),
                ],
            }
        )
        cls.env["ir.config_parameter"].set_param(
            "eldercare_asterisk.cascade_passes", "1"
        )
        cls.env["ir.config_parameter"].set_param(
            "eldercare_asterisk.center_callback_number", "010-8000"
        )
        cls.type_auto = cls.env["eldercare.alert.type"].create(
            {
                "name": "Fall (auto calls)",
                "code": "fall_auto",
                "cascade_on_confirm": True,
            }
        )

    def raise_alert(self, linkedid="cas-1", **vals):
        alert = self.env["eldercare.alert"]._raise_from_calls(
            [{"linkedid": linkedid, "caller_number": "13700007001", "did": "7901"}]
        )[0]
        if vals:
            alert.write(vals)
        return alert

    def test_order_uses_the_one_best_number_rule(self):
        alert = self.raise_alert()
        order = [
            (r["kind"], r["name"], r["number"])
            for r in alert._eldercare_cascade_responders()
        ]
        self.assertEqual(
            order,
            [
                ("emergency_contact", "长女", "13700008001"),
                ("emergency_contact", "次子", "13700008002"),
                ("spouse", "老伴 李", "13700008003"),
                ("worker", "社区 王工", "13700008004"),
                ("relative", "邻居", "13700008005"),
            ],
        )

    def test_confirm_of_a_marked_type_calls_until_the_first_acceptance(self):
        alert = self.raise_alert(type_id=self.type_auto.id)
        alert.with_user(self.operator).action_confirm()
        self.assertEqual(alert.cascade_state, "running")
        dial = self.sync()["dial"]
        self.assertEqual(len(dial), 1, "one responder at a time")
        self.assertEqual(dial[0]["channel"], "Local/13700008001@eldercare-dialer-out")
        self.assertEqual(
            (dial[0]["context"], dial[0]["exten"]), ("eldercare-dialer", "cascade")
        )
        self.assertTrue(dial[0]["automated"])
        self.assertEqual(dial[0]["say_text"], "张桂兰")
        self.assertIn("{say}", dial[0]["prompt"])
        self.assertTrue(
            dial[0]["prompt"].endswith(
                "eldercare/cascade-callback&eldercare/digit-0&eldercare/digit-1&"
                "eldercare/digit-0&eldercare/digit-8&eldercare/digit-0&"
                "eldercare/digit-0&eldercare/digit-0"
            ),
            dial[0]["prompt"],
        )
        # daughter does not answer -> son; son says 2 -> spouse; spouse says 1
        second = self.answer(dial[0], result="no_answer")["dial"]
        self.assertEqual(second[0]["exten"], "cascade")
        self.assertIn("13700008002", second[0]["channel"])
        third = self.answer(second[0], digit="2")["dial"]
        self.assertIn("13700008003", third[0]["channel"])
        self.assertFalse(self.answer(third[0], digit="1")["dial"], "cascade stopped")

        self.assertEqual(alert.cascade_state, "accepted")
        attempts = alert.cascade_attempt_ids
        self.assertEqual(
            [(a.name, a.result, a.digit or "") for a in attempts],
            [
                ("长女", "no_answer", ""),
                ("次子", "refused", "2"),
                ("老伴 李", "accepted", "1"),
            ],
        )
        self.assertTrue(all(a.started_at and a.ended_at for a in attempts))
        self.assertFalse(attempts[0].answered_at)
        self.assertTrue(attempts[2].answered_at)
        self.assertEqual(alert.cascade_accepted_id, attempts[2])
        self.assertIn("老伴 李", alert.message_ids[0].body)

    def test_confirm_of_an_unmarked_type_waits_for_notify(self):
        alert = self.raise_alert()
        self.assertFalse(alert.type_id.cascade_on_confirm)
        alert.with_user(self.operator).action_confirm()
        self.assertFalse(alert.cascade_state)
        self.assertFalse(self.sync()["dial"])
        action = alert.with_user(self.operator).action_notify()
        self.assertIn("one after the other", action["params"]["message"])
        self.assertEqual(alert.cascade_state, "running")
        self.assertEqual(len(self.sync()["dial"]), 1)

    def test_nobody_accepts_then_the_supervisor_is_told(self):
        self.env["ir.config_parameter"].set_param(
            "eldercare_asterisk.cascade_passes", "2"
        )
        alert = self.raise_alert()
        alert.with_user(self.operator).action_notify()
        dial = self.sync()["dial"]
        calls = 0
        while dial:
            calls += 1
            dial = self.answer(dial[0], digit="2")["dial"]
        self.assertEqual(calls, 10, "5 responders, 2 passes")
        self.assertEqual(alert.cascade_state, "exhausted")
        self.assertEqual(alert.cascade_attempt_ids.mapped("pass_no").count(2), 5)
        activity = alert.activity_ids.filtered(lambda a: a.user_id == self.supervisor)
        self.assertEqual(len(activity), 1)
        self.assertIn("Nobody accepted", activity.note)
        pushed = self.bus_messages(self.supervisor, "eldercare_cascade_exhausted")
        self.assertEqual(pushed[-1]["alert"]["id"], alert.id)
        self.assertEqual(pushed[-1]["alert"]["cascade"]["state"], "exhausted")

    def test_sms_fallback_for_a_relative_who_does_not_answer(self):
        alert = self.raise_alert()
        texted = []

        def send(alert_self, relatives):
            texted.extend(relatives.mapped("name"))
            return relatives

        with (
            patch(f"{ALERT}._eldercare_sms_provider_configured", return_value=True),
            patch(f"{ALERT}._eldercare_send_sms", autospec=True, side_effect=send),
        ):
            alert._eldercare_cascade_start()
            dial = self.sync()["dial"]
            self.answer(dial[0], result="busy")
        self.assertEqual(texted, ["长女"])
        self.assertTrue(alert.cascade_attempt_ids[0].sms_sent)
        self.assertEqual(alert.cascade_attempt_ids[0].result, "busy")

    def test_pause_skip_stop(self):
        """The operator's buttons (run as the operator: access rights)."""
        alert = self.raise_alert().with_user(self.operator)
        alert.action_take()
        alert._eldercare_cascade_start()
        first = self.sync()["dial"][0]
        alert.action_cascade_pause()
        self.assertFalse(self.answer(first, result="no_answer")["dial"], "paused")
        alert.action_cascade_resume()
        second = self.sync()["dial"][0]
        self.assertIn("13700008002", second["channel"])
        alert.action_cascade_skip()
        out = self.sync(active=[second["id"]])
        self.assertEqual(out["hangup"], [second["linkedid"]])
        self.assertIn("13700008003", out["dial"][0]["channel"])
        # the skipped call's end report arrives later: nothing moves twice
        self.sync(
            [{"id": second["id"], "event": "ended", "result": "cancelled"}],
            active=[out["dial"][0]["id"]],
        )
        self.assertEqual(len(alert.cascade_attempt_ids), 3)
        alert.action_cascade_stop()
        self.assertEqual(alert.cascade_state, "stopped")
        self.assertEqual(
            alert.cascade_attempt_ids.mapped("result"),
            ["no_answer", "skipped", "stopped"],
        )
        with self.assertRaises(UserError):
            alert.action_cascade_pause()

    def test_popup_payload_shows_the_attempts_live(self):
        alert = self.raise_alert()
        alert._eldercare_cascade_start()
        dial = self.sync()["dial"][0]
        self.sync([{"id": dial["id"], "event": "answered"}], active=[dial["id"]])
        updates = self.bus_messages(self.operator, "eldercare_alert_update")
        cascade = updates[-1]["alert"]["cascade"]
        self.assertEqual(cascade["state"], "running")
        self.assertEqual(cascade["attempts"][0]["name"], "长女")
        self.assertTrue(cascade["attempts"][0]["answered"])
        self.assertEqual(cascade["attempts"][0]["state"], "calling")

    def test_fifty_alerts_queue_fifty_cascades_within_the_channel_limit(self):
        self.env["ir.config_parameter"].set_param(
            "eldercare_asterisk.dial_max_channels", "10"
        )
        alerts = self.env["eldercare.alert"]
        for i in range(50):
            alerts |= self.raise_alert(f"cas-many-{i}")
        alerts._eldercare_cascade_start()
        self.assertEqual(set(alerts.mapped("cascade_state")), {"running"})
        requests = self.env["eldercare.dial.request"].search(
            [("purpose", "=", "cascade")]
        )
        self.assertEqual(len(requests), 50)
        first = self.sync()["dial"]
        self.assertEqual(len(first), 10)
        active = [d["id"] for d in first]
        placed = len(first)
        while True:
            done, active = active[:3], active[3:]
            out = self.answer_many(done, active)
            active += [d["id"] for d in out]
            placed += len(out)
            self.assertLessEqual(len(active), 10)
            if not active:
                break
        self.assertEqual(placed, 50)
        self.assertEqual(set(alerts.mapped("cascade_state")), {"accepted"})

    def answer_many(self, ids, active):
        reports = []
        for rid in ids:
            reports += [
                {"id": rid, "event": "answered"},
                {"id": rid, "event": "ended", "result": "answered", "digit": "1"},
            ]
        return self.sync(reports, active)["dial"]

    def test_false_alarm_ends_the_calls(self):
        alert = self.raise_alert().with_user(self.operator)
        alert.action_take()
        alert.action_notify()
        dial = self.sync()["dial"][0]
        alert.action_false_alarm("The elder pressed by mistake")
        self.assertEqual(alert.cascade_state, "stopped")
        self.assertEqual(alert.cascade_attempt_ids.result, "stopped")
        out = self.sync(active=[dial["id"]])
        self.assertEqual(out["hangup"], [dial["linkedid"]], "the ringing call ends")
        self.assertFalse(out["dial"])

    def test_acceptance_by_sms_reply_stops_the_cascade(self):
        alert = self.raise_alert()
        alert._eldercare_cascade_start()
        dial = self.sync()["dial"][0]
        son = self.elder.relative_ids.filtered(lambda r: r.name == "次子")
        attempt = alert._eldercare_cascade_accept_external(son, via="sms")
        self.assertEqual((attempt.result, attempt.via), ("accepted", "sms"))
        self.assertEqual(alert.cascade_state, "accepted")
        self.assertEqual(alert.cascade_accepted_id, attempt)
        self.assertEqual(alert.cascade_attempt_ids[0].result, "stopped")
        out = self.sync(active=[dial["id"]])
        self.assertEqual(out["hangup"], [dial["linkedid"]])
        self.assertFalse(alert._eldercare_cascade_accept_external(son))
