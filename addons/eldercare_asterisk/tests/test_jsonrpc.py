import json

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install", "eldercare_asterisk")
class TestJsonRpc(HttpCase):
    """The bridge's real path: POST /jsonrpc, service object, execute_kw."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["eldercare.pbx.line"].create(
            {"name": "RPC emergency", "number": "7801", "line_type": "emergency"}
        )
        cls.bridge_user = cls.env.ref("eldercare_asterisk.user_eldercare_bridge")

    def rpc(self, service, method, *args):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {"service": service, "method": method, "args": list(args)},
        }
        response = self.url_open(
            "/jsonrpc",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()

    def execute(self, secret, method, *args):
        uid = self.bridge_user.id
        return self.rpc(
            "object",
            "execute_kw",
            self.env.cr.dbname,
            uid,
            secret,
            "eldercare.pbx.bridge",
            method,
            list(args),
        )

    def test_bridge_user_with_api_key(self):
        wizard = self.env["eldercare.bridge.key.wizard"].create({})
        wizard.action_generate()
        key = wizard.key
        self.assertTrue(key)
        login = self.rpc("common", "login", self.env.cr.dbname, "eldercare_bridge", key)
        self.assertEqual(login["result"], self.bridge_user.id)

        config = self.execute(key, "bridge_config")["result"]
        self.assertIn("7801", config["emergency_dids"])

        params = {
            "linkedid": "rpc-1",
            "uniqueid": "rpc-1",
            "channel": "PJSIP/trunk-00000001",
            "caller_num": "anonymous",
            "caller_name": "",
            "did": "7801",
            "context": "eldercare-inbound",
        }
        [route] = self.execute(key, "agi_route_batch", [params])["result"]
        self.assertEqual(route["route"], "emergency")
        self.assertEqual(route["queue"], "eldercare-emergency")
        self.assertTrue(route["alert_id"])
        events = self.execute(
            key,
            "ami_events",
            [{"Event": "Hangup", "Linkedid": "rpc-1", "Uniqueid": "rpc-1"}],
        )["result"]
        self.assertEqual(events["processed"], 1)

    def test_wrong_secret_is_refused(self):
        with mute_logger("odoo.http"):
            answer = self.execute("not-the-key", "bridge_config")
        self.assertIn("error", answer)
