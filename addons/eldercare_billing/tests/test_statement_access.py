from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestStatementAccess(HttpCase):
    """Issue 16: statements for finance, and for the elder's own area only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Area = cls.env["eldercare.area"]
        cls.area_a = Area.create({"name": "账单甲社区"})
        cls.area_b = Area.create({"name": "账单乙社区"})
        Partner = cls.env["res.partner"]
        Statement = cls.env["eldercare.statement"]
        cls.statements = Statement
        for name, area in (("账单甲老人", cls.area_a), ("账单乙老人", cls.area_b)):
            elder = Partner.create(
                {"name": name, "is_elder": True, "community_id": area.id}
            )
            cls.statements |= Statement.create(
                {"partner_id": elder.id, "period": "2026-11", "community_id": area.id}
            )
        cls.statement_a, cls.statement_b = cls.statements
        cls.statements.action_confirm()

        def user(login, groups, **kw):
            return new_test_user(cls.env, login=login, groups=groups, **kw)

        cls.finance = user(
            "st_finance", "base.group_user,eldercare_base.group_eldercare_finance"
        )
        cls.worker_a = user(
            "st_worker_a",
            "base.group_user,eldercare_base.group_eldercare_worker",
            eldercare_area_ids=[Command.set(cls.area_a.ids)],
        )
        cls.operator = user(
            "st_operator", "base.group_user,eldercare_base.group_eldercare_operator"
        )
        cls.employee = user("st_employee", "base.group_user")

    def test_finance_reads_all(self):
        found = self.env["eldercare.statement"].with_user(self.finance).search([])
        self.assertLessEqual(self.statements, found)

    def test_worker_reads_own_area_only(self):
        Statement = self.env["eldercare.statement"].with_user(self.worker_a)
        ids = self.statements.ids
        self.assertEqual(
            [r["id"] for r in Statement.search_read([("id", "in", ids)], ["name"])],
            self.statement_a.ids,
        )
        groups = Statement.read_group(
            [("id", "in", ids)], ["amount_total:sum"], ["community_id"]
        )
        self.assertEqual([g["community_id"][0] for g in groups], self.area_a.ids)
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.statement_b.with_user(self.worker_a).read(["amount_total"])
        Line = self.env["eldercare.statement.line"].with_user(self.worker_a)
        self.assertFalse(Line.search([("statement_id", "=", self.statement_b.id)]))

    def test_operator_without_area_and_employee_read_none(self):
        Statement = self.env["eldercare.statement"]
        ids = self.statements.ids
        self.assertFalse(Statement.with_user(self.operator).search([("id", "in", ids)]))
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            Statement.with_user(self.employee).search([])

    def test_report_url_of_another_area_refused(self):
        self.authenticate("st_worker_a", "st_worker_a")
        url = "/report/html/eldercare_billing.report_statement/{}"
        response = self.url_open(url.format(self.statement_a.id))
        self.assertEqual(response.status_code, 200)
        self.assertIn("账单甲老人", response.text)
        with mute_logger("odoo.http"):
            response = self.url_open(url.format(self.statement_b.id))
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn("账单乙老人", response.text)
