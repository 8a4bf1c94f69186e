from odoo.tests import tagged

from odoo.addons.eldercare_base.tests.common import RoleScreensCase


@tagged("post_install", "-at_install")
class TestEmergencyRoleScreens(RoleScreensCase):
    """What the emergency readme promises each role, opened as that role."""

    ROLE_LOGIN_PREFIX = "em_role"

    def test_supervisor_screens(self):
        for xmlid in (
            "eldercare_emergency.eldercare_alert_dashboard_menu",
            "eldercare_emergency.eldercare_alert_menu",
            "eldercare_emergency.eldercare_alert_type_menu",
            "eldercare_emergency.eldercare_alert_response_menu",
            "eldercare_emergency.eldercare_alert_analysis_menu",
        ):
            self.assertScreen(self.supervisor, xmlid)

    def test_operator_screens(self):
        for xmlid in (
            "eldercare_emergency.eldercare_alert_dashboard_menu",
            "eldercare_emergency.eldercare_alert_menu",
        ):
            self.assertScreen(self.operator, xmlid)
        self.assertScreen(
            self.operator, "eldercare_emergency.eldercare_alert_type_menu", False
        )

    def test_worker_screens(self):
        self.assertScreen(self.worker, "eldercare_emergency.eldercare_alert_menu")
        self.assertScreen(
            self.worker, "eldercare_emergency.eldercare_alert_dashboard_menu", False
        )
        self.assertScreen(
            self.worker, "eldercare_emergency.eldercare_alert_type_menu", False
        )
