from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.eldercare_base.tests.common import eldercare_user


@tagged("post_install", "-at_install", "eldercare_tour")
class TestCascadePanelTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = eldercare_user(
            cls.env,
            "ec_tour_cascade_operator",
            "Tour Cascade Operator",
            "operator",
        )
        cls.operator.write({"eldercare_extension": "7311", "eldercare_on_duty": True})
        cls.elder = cls.env["res.partner"].create(
            {
                "name": "Tour Cascade Elder",
                "is_elder": True,
                "elder_phone_ids": [
                    Command.create(
                        {"number": "13900139091", "phone_type": "emergency_button"}
                    )
                ],
                "relative_ids": [
                    Command.create(
                        {
                            "name": "Tour Cascade Daughter",
                            "relation": "daughter",
                            "phone": "13900139092",
                        }
                    )
                ],
            }
        )

    def test_cascade_attempts_in_the_alert_panel(self):
        self.start_tour(
            "/odoo/action-eldercare_emergency.eldercare_alert_dashboard_action",
            "eldercare_cascade_panel_tour",
            login="ec_tour_cascade_operator",
            timeout=120,
        )
        alert = self.env["eldercare.alert"].search(
            [("caller_number", "=", "13900139091")]
        )
        self.assertEqual(alert.cascade_state, "running")
        self.assertEqual(alert.cascade_attempt_ids.number, "13900139092")
