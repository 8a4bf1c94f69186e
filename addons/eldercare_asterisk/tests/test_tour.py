from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.eldercare_base.tests.common import eldercare_user


@tagged("post_install", "-at_install", "eldercare_tour")
class TestCallPopupTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = eldercare_user(
            cls.env,
            "ec_tour_pbx_operator",
            "Tour Operator",
            "operator",
        )
        cls.operator.eldercare_extension = "7301"
        cls.elder = cls.env["res.partner"].create(
            {
                "name": "Tour Zhao Popup",
                "is_elder": True,
                "mobile": "13900139076",
                "elder_phone_ids": [
                    Command.create({"number": "13900139075", "phone_type": "mobile"})
                ],
                "relative_ids": [
                    Command.create(
                        {
                            "name": "Tour Popup Son",
                            "relation": "son",
                            "phone": "13900139077",
                        }
                    )
                ],
            }
        )
        cls.line = cls.env["eldercare.pbx.line"].create(
            {"name": "Tour hotline", "number": "7300", "line_type": "service"}
        )

    def test_call_popup_then_call_back(self):
        bridge = self.env["eldercare.pbx.bridge"].with_user(
            self.env.ref("eldercare_asterisk.user_eldercare_bridge")
        )
        bridge.agi_route_batch(
            [{"linkedid": "tour-call-1", "caller_num": "13900139075", "did": "7300"}]
        )[0]
        bridge.ivr_choice({"linkedid": "tour-call-1", "digits": "0"})
        bridge.ami_events(
            [
                {
                    "Event": "DialBegin",
                    "Linkedid": "tour-call-1",
                    "DestChannel": "PJSIP/7301-00000001",
                }
            ]
        )
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.start_tour(
            "/odoo", "eldercare_call_popup_tour", login="ec_tour_pbx_operator"
        )
        # the call is queued for the bridge's dialer (no AMI from Odoo)
        request = self.env["eldercare.dial.request"].search(
            [("purpose", "=", "click_to_call")]
        )
        self.assertEqual(len(request), 1)
        self.assertEqual(request.channel, "PJSIP/7301")
        self.assertEqual(request.exten, "13900139076")
        self.assertEqual(request.state, "queued")
        calls = self.env["eldercare.call"].search([("elder_id", "=", self.elder.id)])
        self.assertEqual(
            sorted(calls.mapped("direction")), ["inbound", "outbound"], calls
        )
