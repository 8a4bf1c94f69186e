import json

from odoo import Command
from odoo.tests import TransactionCase

from odoo.addons.eldercare_base.tests.common import eldercare_user

EMERGENCY_DID = "7901"
SERVICE_DID = "7900"
ELDER_NUMBER = "13700007001"
ELDER_NUMBER_E164 = "+8613700007001"


class DialSyncMixin:
    """Drives ``eldercare.pbx.bridge.dial_sync`` the way the bridge's dialer
    does; the test class sets ``bridge`` (the bridge model as its user)."""

    def sync(self, reports=(), active=(), accept=True):
        return self.bridge.dial_sync(list(reports), list(active), accept)

    def answer(self, dial, digit=None, result="answered", active=()):
        """The callee of ``dial`` picks up (unless ``result`` says otherwise),
        presses ``digit`` if given, and the call ends."""
        reports = []
        if result == "answered":
            reports.append({"id": dial["id"], "event": "answered"})
        end = {"id": dial["id"], "event": "ended", "result": result}
        if digit:
            end["digit"] = digit
        return self.sync(reports + [end], active)


class EldercarePbxCase(DialSyncMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        Line = cls.env["eldercare.pbx.line"]
        cls.line_emergency = Line.create(
            {
                "name": "Test emergency",
                "number": EMERGENCY_DID,
                "line_type": "emergency",
            }
        )
        cls.line_service = Line.create(
            {"name": "Test hotline", "number": SERVICE_DID, "line_type": "service"}
        )
        cls.env["eldercare.ivr.option"].search([]).unlink()
        cls.env["eldercare.ivr.option"].create(
            [
                {"digit": "1", "name": "Nanny", "action": "service"},
                {"digit": "8", "name": "Statement", "action": "statement"},
                {"digit": "9", "name": "Emergency", "action": "emergency"},
                {"digit": "0", "name": "Operator", "action": "operator"},
            ]
        )
        cls.operator = eldercare_user(
            cls.env,
            "ec_pbx_operator1",
            "王丽 (operator)",
            "base.group_user",
            "operator",
        )
        cls.operator.write({"eldercare_extension": "7101", "eldercare_on_duty": True})
        cls.operator2 = eldercare_user(
            cls.env,
            "ec_pbx_operator2",
            "李强 (operator)",
            "base.group_user",
            "operator",
        )
        cls.operator2.write({"eldercare_extension": "7102"})
        cls.bridge_user = cls.env.ref("eldercare_asterisk.user_eldercare_bridge")
        cls.elder = cls.env["res.partner"].create(
            {
                "name": "张桂兰",
                "is_elder": True,
                "mobile": "13700007002",
                "elder_phone_ids": [
                    Command.create(
                        {"number": ELDER_NUMBER, "phone_type": "emergency_button"}
                    )
                ],
                "relative_ids": [
                    Command.create(
                        {"name": "张伟", "relation": "son", "phone": "13700007003"}
                    )
                ],
            }
        )
        cls.bridge = cls.env["eldercare.pbx.bridge"].with_user(cls.bridge_user)

    def route(self, linkedid, caller, did, **extra):
        params = {
            "linkedid": linkedid,
            "uniqueid": linkedid,
            "channel": "PJSIP/trunk-00000001",
            "caller_num": caller,
            "caller_name": "",
            "did": did,
            "context": "eldercare-inbound",
        }
        params.update(extra)
        return self.bridge.agi_route_batch([params])[0]

    def call_of(self, linkedid):
        return self.env["eldercare.call"].search([("linkedid", "=", linkedid)])

    def run_after_commit_work(self):
        """Run the one write the bridge API deferred past its commit
        (``_after_commit``), in its own transaction: here the test's, through
        a test cursor."""
        hooks = [
            func
            for func in self.env.cr.postcommit._funcs
            if "_after_commit" in func.__qualname__
        ]
        self.assertEqual(len(hooks), 1)
        self.registry.enter_test_mode(self.env.cr)
        try:
            hooks[0]()
        finally:
            self.registry.leave_test_mode()
        self.env.invalidate_all()

    def bus_messages(self, user, notification_type):
        """Bus notifications of ``notification_type`` sent to ``user``."""
        self.env.cr.precommit.run()
        channel = json.dumps(
            [self.env.cr.dbname, "res.partner", user.partner_id.id],
            separators=(",", ":"),
        )
        messages = self.env["bus.bus"].sudo().search([("channel", "=", channel)])
        return [
            json.loads(m.message)["payload"]
            for m in messages
            if json.loads(m.message)["type"] == notification_type
        ]
