from odoo.tests import tagged

from odoo.addons.eldercare_base.tests.common import RoleScreensCase


@tagged("post_install", "-at_install")
class TestHouseholdRoleScreens(RoleScreensCase):
    """What the household readme promises each role, opened as that role."""

    ROLE_LOGIN_PREFIX = "hh_role"

    def test_supervisor_screens(self):
        for xmlid in (
            "eldercare_household.eldercare_service_request_menu",
            "eldercare_household.eldercare_work_order_household_menu",
            "eldercare_household.eldercare_service_key_menu",
        ):
            self.assertScreen(self.supervisor, xmlid)

    def test_operator_screens(self):
        for xmlid in (
            "eldercare_household.eldercare_service_request_menu",
            "eldercare_household.eldercare_work_order_household_menu",
        ):
            self.assertScreen(self.operator, xmlid)
        self.assertScreen(
            self.operator, "eldercare_household.eldercare_service_key_menu", False
        )
