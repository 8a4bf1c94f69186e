from odoo.tests import tagged

from odoo.addons.eldercare_base.tests.common import RoleScreensCase


@tagged("post_install", "-at_install")
class TestCareCallScreens(RoleScreensCase):
    ROLE_LOGIN_PREFIX = "ec_care_role"

    def test_care_call_screens_per_role(self):
        prefix = "eldercare_care_calls."
        self.assertScreen(self.operator, prefix + "eldercare_care_call_menu")
        self.assertScreen(self.supervisor, prefix + "eldercare_care_call_menu")
        for report in (
            "eldercare_care_call_survey_report_menu",
            "eldercare_work_order_satisfaction_menu",
        ):
            self.assertScreen(self.supervisor, prefix + report)
            self.assertScreen(self.operator, prefix + report, visible=False)
        self.assertScreen(self.finance, prefix + "eldercare_care_call_menu", False)
