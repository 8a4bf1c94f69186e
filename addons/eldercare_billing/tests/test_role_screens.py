from odoo.tests import tagged

from odoo.addons.eldercare_base.tests.common import RoleScreensCase


@tagged("post_install", "-at_install", "eldercare_billing")
class TestBillingRoleScreens(RoleScreensCase):
    """What the billing readme promises each role, opened as that role."""

    ROLE_LOGIN_PREFIX = "ec_role"

    def test_finance_screens(self):
        for xmlid in (
            "eldercare_billing.eldercare_statement_menu",
            "eldercare_billing.eldercare_billing_run_menu",
            "eldercare_billing.eldercare_month_end_wizard_menu",
            "eldercare_billing.eldercare_subsidy_rule_menu",
            "eldercare_billing.res_partner_subsidy_payer_menu",
            "eldercare_billing.eldercare_statement_line_menu_fees",
            "eldercare_billing.eldercare_statement_line_menu_subsidies",
            "eldercare_billing.eldercare_xlsx_export_wizard_menu",
        ):
            self.assertScreen(self.finance, xmlid)

    def test_supervisor_screens(self):
        for xmlid in (
            "eldercare_billing.eldercare_statement_menu",
            "eldercare_billing.eldercare_billing_run_menu",
            "eldercare_billing.eldercare_statement_line_menu_fees",
            "eldercare_billing.eldercare_work_order_report_menu",
            "eldercare_billing.eldercare_xlsx_export_wizard_menu",
        ):
            self.assertScreen(self.supervisor, xmlid)
        # running the month end and editing subsidy rules is finance work
        self.assertScreen(
            self.supervisor, "eldercare_billing.eldercare_month_end_wizard_menu", False
        )
        self.assertScreen(
            self.supervisor, "eldercare_billing.eldercare_subsidy_rule_menu", False
        )

    def test_operator_and_worker_query_from_the_elder_file(self):
        elder = self.env["res.partner"].create({"name": "孙查询", "is_elder": True})
        for user in (self.operator, self.worker):
            self.assertScreen(user, "eldercare_billing.eldercare_statement_menu", False)
            action = elder.with_user(user).action_eldercare_running_statement()
            preview = self.env["eldercare.statement.preview"].with_user(user)
            self.assertEqual(preview.browse(action["res_id"]).partner_id, elder)
