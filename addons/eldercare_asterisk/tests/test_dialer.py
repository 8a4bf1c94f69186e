from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import ELDER_NUMBER, EldercarePbxCase


@tagged("post_install", "-at_install", "eldercare_asterisk")
class TestDialer(EldercarePbxCase):
    """Odoo's side of the one dialer: every outbound call is a queued
    ``eldercare.dial.request`` that the bridge takes with ``dial_sync``."""

    def test_click_to_call_is_queued_for_the_dialer_and_logged(self):
        action = self.elder.with_user(self.operator).action_eldercare_call()
        self.assertEqual(action["params"]["type"], "info")
        call = self.env["eldercare.call"].search(
            [("elder_id", "=", self.elder.id), ("direction", "=", "outbound")]
        )
        self.assertEqual(len(call), 1)
        self.assertEqual(call.dialed_number, "13700007002")  # the mobile first
        self.assertEqual(call.initiated_by_id, self.operator)

        out = self.sync()
        self.assertEqual(len(out["dial"]), 1)
        dial = out["dial"][0]
        self.assertEqual(dial["channel"], "PJSIP/7101")
        self.assertEqual(dial["context"], "eldercare-outbound")
        self.assertEqual(dial["exten"], "13700007002")
        self.assertEqual(dial["priority"], 1)
        self.assertEqual(dial["callerid"], '"张桂兰" <13700007002>')
        self.assertEqual(dial["linkedid"], call.linkedid)
        self.assertEqual(dial["variables"]["EC_CALL_ID"], call.id)
        self.assertEqual(dial["variables"]["EC_ELDER_ID"], self.elder.id)
        self.assertFalse(dial["automated"])
        self.assertFalse(self.sync(active=[dial["id"]])["dial"], "handed out once")

    def test_relative_and_phone_lines_call_their_number(self):
        self.elder.relative_ids.with_user(self.operator).action_eldercare_call()
        self.elder.elder_phone_ids.with_user(self.operator).action_eldercare_call()
        dials = self.sync()["dial"]
        self.assertEqual([d["exten"] for d in dials], ["13700007003", ELDER_NUMBER])
        self.assertIn("张伟", dials[0]["callerid"])

    def test_alert_call_back_rings_the_one_key_phone(self):
        alert = self.env["eldercare.alert"]._raise_from_calls(
            [{"linkedid": "cb-1", "caller_number": ELDER_NUMBER, "did": "7901"}]
        )[0]
        alert.with_user(self.operator).action_call_back()
        dial = self.sync()["dial"][0]
        self.assertEqual(dial["exten"], ELDER_NUMBER)
        self.assertEqual(dial["channel"], "PJSIP/7101")
        self.assertEqual(dial["variables"]["EC_ALERT_ID"], alert.id)
        request = self.env["eldercare.dial.request"].browse(dial["id"])
        self.assertEqual(request.purpose, "call_back")
        self.assertEqual(alert.eldercare_call_ids.direction, "outbound")
        self.assertEqual(alert.state, "confirming")

    def test_dialer_not_polling_warns_the_operator(self):
        alert = self.env["eldercare.alert"]._raise_from_calls(
            [{"linkedid": "cb-2", "caller_number": ELDER_NUMBER, "did": "7901"}]
        )[0]
        old = self.env["eldercare.pbx"]._dial(
            {"purpose": "click_to_call", "channel": "PJSIP/7102", "exten": "1"}
        )
        self.env.cr.execute(
            "UPDATE eldercare_dial_request SET create_date = now() - "
            "interval '1 minute' WHERE id = %s",
            [old.id],
        )
        old.invalidate_recordset()
        action = alert.with_user(self.operator).action_call_back()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("dial by hand", action["params"]["message"])
        self.assertIn(ELDER_NUMBER, action["params"]["message"])
        check = self.env["eldercare.pbx"].action_test_connection()
        self.assertEqual(check["params"]["type"], "warning")

    def test_simulate_call_originates_a_local_channel(self):
        wizard = self.env["eldercare.call.simulate"].create(
            {"line_id": self.line_emergency.id, "elder_id": self.elder.id}
        )
        self.assertEqual(wizard.caller_number, ELDER_NUMBER)
        wizard.action_simulate()
        dial = self.sync()["dial"][0]
        self.assertEqual(dial["channel"], "Local/7901@eldercare-inbound")
        self.assertEqual(dial["application"], "Wait")
        self.assertEqual(dial["callerid"], f'"张桂兰" <{ELDER_NUMBER}>')
        self.assertEqual(dial["other_linkedid"], f"{dial['linkedid']}-2")
        call = self.call_of(dial["linkedid"])
        self.assertTrue(call.simulated)
        self.assertEqual(call.line_id, self.line_emergency)
        self.assertFalse(call.offered, "training calls stay out of the report")

    def test_operator_without_extension(self):
        self.operator2.eldercare_extension = False
        self.assertFalse(self.operator2.eldercare_endpoint)
        with self.assertRaises(UserError) as error:
            self.elder.with_user(self.operator2).action_eldercare_call()
        self.assertIn("no phone extension", str(error.exception))

    def test_only_the_bridge_user_polls(self):
        with self.assertRaises(AccessError):
            self.env["eldercare.pbx.bridge"].with_user(self.operator).dial_sync([], [])

    def _automated(self, count):
        return self.env["eldercare.pbx"]._dial(
            [
                {
                    "purpose": "cascade",
                    "automated": True,
                    "channel": f"Local/1370000{i:04d}@eldercare-dialer-out",
                    "context": "eldercare-dialer",
                    "exten": "cascade",
                }
                for i in range(count)
            ]
        )

    def test_pacing_keeps_automated_calls_within_the_channel_limit(self):
        self.env["ir.config_parameter"].set_param(
            "eldercare_asterisk.dial_max_channels", "3"
        )
        requests = self._automated(5)
        self.elder.with_user(self.operator).action_eldercare_call()
        first = self.sync()["dial"]
        self.assertEqual(len(first), 4, "3 automated + the operator's own call")
        self.assertFalse(first[0]["automated"], "the operator's call goes first")
        active = [d["id"] for d in first]
        self.assertFalse(self.sync(active=active)["dial"], "all channels busy")
        ended = first[1]["id"]
        out = self.sync(
            reports=[{"id": ended, "event": "ended", "result": "no_answer"}],
            active=[i for i in active if i != ended],
        )
        self.assertEqual(len(out["dial"]), 1, "one channel freed, one call placed")
        self.assertEqual(
            self.env["eldercare.dial.request"].browse(ended).result, "no_answer"
        )
        self.assertEqual(
            sorted(requests.mapped("state")),
            ["failed", "queued", "sent", "sent", "sent"],
        )

    def test_nothing_taken_while_ami_is_down(self):
        self._automated(1)
        self.assertFalse(self.sync(accept=False)["dial"])
        self.assertEqual(len(self.sync()["dial"]), 1)

    def test_answered_report_then_digit_and_end(self):
        request = self._automated(1)
        self.sync()
        self.sync(
            reports=[{"id": request.id, "event": "answered"}], active=[request.id]
        )
        self.assertEqual(request.state, "answered")
        self.assertTrue(request.answered_at)
        self.sync(
            reports=[
                {"id": request.id, "event": "ended", "result": "answered", "digit": "2"}
            ]
        )
        self.assertEqual(
            (request.state, request.result, request.digit), ("done", "answered", "2")
        )
        # a repeated report (the bridge lost Odoo's answer) changes nothing
        self.sync(reports=[{"id": request.id, "event": "ended", "result": "busy"}])
        self.assertEqual(request.result, "answered")

    def test_calls_the_dialer_forgot_end_as_lost(self):
        requests = self._automated(2)
        self.sync()
        self.sync(active=[requests[0].id])
        self.assertEqual(requests[0].state, "sent")
        self.assertEqual((requests[1].state, requests[1].result), ("failed", "lost"))

    def test_cancel_queued_and_hang_up_active(self):
        self.env["ir.config_parameter"].set_param(
            "eldercare_asterisk.dial_max_channels", "1"
        )
        dialling, waiting = self._automated(2)
        self.sync()
        self.assertEqual(dialling.state, "sent")
        self.assertEqual(waiting.state, "queued")
        (dialling | waiting).action_cancel()
        self.assertEqual(waiting.state, "cancelled")
        out = self.sync(active=[dialling.id])
        self.assertEqual(out["hangup"], [dialling.linkedid])
        self.assertFalse(out["dial"], "the cancelled request is never placed")
