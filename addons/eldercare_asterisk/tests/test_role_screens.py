from odoo.tests import tagged

from odoo.addons.eldercare_base.tests.common import RoleScreensCase


@tagged("post_install", "-at_install")
class TestAsteriskRoleScreens(RoleScreensCase):
    """Supervisors reach the escalation chain; operators do not edit it."""

    ROLE_LOGIN_PREFIX = "ast_role"

    def test_escalation_chain_for_supervisors(self):
        self.assertScreen(
            self.supervisor, "eldercare_asterisk.eldercare_escalation_step_menu"
        )
        self.assertScreen(
            self.operator, "eldercare_asterisk.eldercare_escalation_step_menu", False
        )
