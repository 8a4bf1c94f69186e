from odoo.tests import TransactionCase, new_test_user, tagged


class RoleScreensMixin:
    """Open a screen as a user: its menu is visible and its action loads."""

    def assertScreen(self, user, menu_xmlid, visible=True):
        """The user reaches the menu (it and all its parents are visible to
        them) and can read what its action opens; or, ``visible=False``, the
        user cannot reach it."""
        menu = self.env.ref(menu_xmlid)
        visible_ids = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
        chain = menu
        while chain[-1:].parent_id:
            chain |= chain[-1:].parent_id
        reachable = all(m.id in visible_ids for m in chain)
        if not visible:
            self.assertFalse(reachable, f"{user.login} reaches {menu_xmlid}")
            return
        self.assertTrue(
            reachable,
            f"{user.login} cannot reach {menu_xmlid}: "
            f"{[m.name for m in chain if m.id not in visible_ids]} hidden",
        )
        action = menu.action.sudo()
        if action._name == "ir.actions.act_window":
            model = self.env[action.res_model].with_user(user)
            self.assertTrue(model.has_access("read"), f"{user.login}: {model._name}")
            model.search_read([], ["display_name"], limit=1)


@tagged("post_install", "-at_install", "eldercare_billing")
class TestBillingRoleScreens(RoleScreensMixin, TransactionCase):
    """What the billing readme promises each role, opened as that role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.finance = new_test_user(
            cls.env,
            login="ec_role_finance",
            groups="eldercare_base.group_eldercare_finance",
        )
        cls.supervisor = new_test_user(
            cls.env,
            login="ec_role_supervisor",
            groups="eldercare_base.group_eldercare_supervisor",
        )
        cls.operator = new_test_user(
            cls.env,
            login="ec_role_operator",
            groups="eldercare_base.group_eldercare_operator",
        )
        cls.worker = new_test_user(
            cls.env,
            login="ec_role_worker",
            groups="eldercare_base.group_eldercare_worker",
        )

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
