import socket
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.eldercare_asterisk.tools.ami_client import AmiClient, AmiError

from .common import ELDER_NUMBER, EldercarePbxCase
from .fake_ami import FakeAmiServer

SECRET = "s3cr3t-ami"
PBX_LOGGER = "odoo.addons.eldercare_asterisk"
QUIET = (
    "odoo.addons.eldercare_asterisk.models.eldercare_pbx",
    "odoo.addons.eldercare_asterisk.models.eldercare_alert",
    "odoo.addons.eldercare_asterisk.tools.ami_client",
)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@tagged("post_install", "-at_install", "eldercare_asterisk")
class TestAmiClient(EldercarePbxCase):
    def configure(self, port, secret=SECRET):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("eldercare_asterisk.ami_host", "127.0.0.1")
        params.set_param("eldercare_asterisk.ami_port", str(port))
        params.set_param("eldercare_asterisk.ami_user", "odoo")
        params.set_param("eldercare_asterisk.ami_secret", secret)

    def test_click_to_call_sends_originate_and_logs_the_call(self):
        with FakeAmiServer(secret=SECRET) as server:
            self.configure(server.port)
            with self.assertLogs(PBX_LOGGER, level="DEBUG") as logs:
                action = (
                    self.elder.with_user(self.operator)
                    .with_context(tracking_disable=True)
                    .action_eldercare_call()
                )
        self.assertEqual(action["tag"], "display_notification")
        call = self.env["eldercare.call"].search(
            [("elder_id", "=", self.elder.id), ("direction", "=", "outbound")]
        )
        self.assertEqual(len(call), 1)
        self.assertEqual(call.dialed_number, "13700007002")  # the mobile first
        self.assertEqual(call.initiated_by_id, self.operator)

        login = dict(server.actions("Login")[0])
        self.assertEqual(login["Username"], "odoo")
        self.assertEqual(login["Secret"], SECRET)
        originate = server.actions("Originate")
        self.assertEqual(len(originate), 1)
        headers = dict(originate[0])
        self.assertEqual(headers["Channel"], "PJSIP/7101")
        self.assertEqual(headers["Context"], "eldercare-outbound")
        self.assertEqual(headers["Exten"], "13700007002")
        self.assertEqual(headers["Priority"], "1")
        self.assertEqual(headers["CallerID"], '"张桂兰" <13700007002>')
        self.assertEqual(headers["ChannelId"], call.linkedid)
        self.assertEqual(headers["Async"], "true")
        variables = [value for key, value in originate[0] if key == "Variable"]
        self.assertIn(f"EC_CALL_ID={call.id}", variables)
        self.assertIn(f"EC_ELDER_ID={self.elder.id}", variables)
        self.assertTrue(server.actions("Logoff"))

        output = "\n".join(logs.output)
        self.assertIn("Originate", output, "the frames are logged at debug level")
        self.assertNotIn(SECRET, output)

    def test_relative_and_phone_lines_call_their_number(self):
        with FakeAmiServer(secret=SECRET) as server:
            self.configure(server.port)
            relative = self.elder.relative_ids.with_user(self.operator)
            relative.action_eldercare_call()
            phone = self.elder.elder_phone_ids.with_user(self.operator)
            phone.action_eldercare_call()
        extens = [dict(h)["Exten"] for h in server.actions("Originate")]
        self.assertEqual(extens, ["13700007003", ELDER_NUMBER])
        callerid = dict(server.actions("Originate")[0])["CallerID"]
        self.assertIn("张伟", callerid)

    def test_alert_call_back_rings_the_one_key_phone(self):
        alert = self.env["eldercare.alert"]._raise_from_calls(
            [{"linkedid": "cb-1", "caller_number": ELDER_NUMBER, "did": "7901"}]
        )[0]
        with FakeAmiServer(secret=SECRET) as server:
            self.configure(server.port)
            alert.with_user(self.operator).action_call_back()
        headers = dict(server.actions("Originate")[0])
        self.assertEqual(headers["Exten"], ELDER_NUMBER)
        self.assertEqual(headers["Channel"], "PJSIP/7101")
        variables = [v for k, v in server.actions("Originate")[0] if k == "Variable"]
        self.assertIn(f"EC_ALERT_ID={alert.id}", variables)
        self.assertEqual(alert.eldercare_call_ids.direction, "outbound")
        self.assertEqual(alert.state, "confirming")

    def test_notifying_relatives_calls_the_first_one(self):
        alert = self.env["eldercare.alert"]._raise_from_calls(
            [{"linkedid": "cb-3", "caller_number": ELDER_NUMBER, "did": "7901"}]
        )[0]
        self.assertEqual(alert.elder_id, self.elder)
        with FakeAmiServer(secret=SECRET) as server:
            self.configure(server.port)
            alert.with_user(self.operator).action_notify()
        headers = dict(server.actions("Originate")[0])
        self.assertEqual(headers["Exten"], "13700007003")  # the son
        self.assertEqual(headers["Channel"], "PJSIP/7101")
        call = alert.eldercare_call_ids
        self.assertEqual(call.dialed_number, "13700007003")
        self.assertIn("called", alert.message_ids[:1].body)

    def test_alert_call_back_without_pbx_still_shows_the_numbers(self):
        alert = self.env["eldercare.alert"]._raise_from_calls(
            [{"linkedid": "cb-2", "caller_number": ELDER_NUMBER, "did": "7901"}]
        )[0]
        self.configure(free_port())
        with mute_logger(*QUIET):
            action = alert.with_user(self.operator).action_call_back()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("did not answer", action["params"]["message"])
        self.assertIn(ELDER_NUMBER, action["params"]["message"])
        self.assertFalse(alert.eldercare_call_ids, "no call logged when none placed")

    def test_simulate_call_originates_a_local_channel(self):
        with FakeAmiServer(secret=SECRET) as server:
            self.configure(server.port)
            wizard = self.env["eldercare.call.simulate"].create(
                {"line_id": self.line_emergency.id, "elder_id": self.elder.id}
            )
            self.assertEqual(wizard.caller_number, ELDER_NUMBER)
            wizard.action_simulate()
        headers = dict(server.actions("Originate")[0])
        self.assertEqual(headers["Channel"], "Local/7901@eldercare-inbound")
        self.assertEqual(headers["Application"], "Wait")
        self.assertEqual(headers["CallerID"], f'"张桂兰" <{ELDER_NUMBER}>')
        call = self.call_of(headers["ChannelId"])
        self.assertTrue(call.simulated)
        self.assertEqual(call.line_id, self.line_emergency)
        self.assertFalse(call.offered, "training calls stay out of the report")

    def test_no_answer_gives_a_clear_error(self):
        port = free_port()
        self.configure(port)
        with mute_logger(*QUIET), self.assertRaises(UserError) as error:
            self.elder.with_user(self.operator).action_eldercare_call()
        self.assertIn(
            f"The phone system (Asterisk) did not answer at 127.0.0.1:{port}",
            str(error.exception),
        )
        self.assertIn("check PBX settings", str(error.exception))

    def test_silent_server_times_out(self):
        with FakeAmiServer(mode="silent") as server:
            self.configure(server.port)
            with (
                patch(
                    "odoo.addons.eldercare_asterisk.models.eldercare_pbx.AMI_TIMEOUT",
                    0.5,
                ),
                mute_logger(*QUIET),
                self.assertRaises(UserError) as error,
            ):
                self.elder.with_user(self.operator).action_eldercare_call()
        self.assertIn("did not answer", str(error.exception))

    def test_wrong_secret_and_refused_originate(self):
        with FakeAmiServer(secret="other") as server:
            self.configure(server.port)
            with (
                self.assertLogs(PBX_LOGGER, level="DEBUG") as logs,
                self.assertRaises(UserError) as error,
            ):
                self.elder.with_user(self.operator).action_eldercare_call()
        self.assertIn("refused the login", str(error.exception))
        self.assertNotIn(SECRET, "\n".join(logs.output))
        with FakeAmiServer(secret=SECRET, mode="refuse_originate") as server:
            self.configure(server.port)
            with mute_logger(*QUIET), self.assertRaises(UserError) as error:
                self.elder.with_user(self.operator).action_eldercare_call()
        self.assertIn("Extension does not exist", str(error.exception))

    def test_operator_without_extension(self):
        self.operator2.eldercare_extension = False
        self.assertFalse(self.operator2.eldercare_endpoint)
        with self.assertRaises(UserError) as error:
            self.elder.with_user(self.operator2).action_eldercare_call()
        self.assertIn("no phone extension", str(error.exception))

    def test_client_frames(self):
        with FakeAmiServer(secret=SECRET) as server:
            client = AmiClient("127.0.0.1", server.port, "odoo", SECRET, timeout=2)
            self.assertNotIn(SECRET, repr(client))
            with client as ami:
                response = ami.originate(
                    channel="PJSIP/7101",
                    context="eldercare-outbound",
                    exten="110\r\nAction: Command",
                    variables={"A": 1},
                )
                self.assertEqual(response["Response"], "Success")
                with self.assertRaises(AmiError):
                    ami.send_action("NoSuchAction")
        originate = server.frames[1].decode()
        self.assertIn("Exten: 110  Action: Command", originate)
        lines = originate.split("\r\n")
        self.assertEqual(
            [line for line in lines if line.startswith("Action:")],
            ["Action: Originate"],
            "no header injection through a value",
        )
