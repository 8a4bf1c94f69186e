import io

import openpyxl

from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import EldercareBillingDataMixin


@tagged("post_install", "-at_install", "eldercare_billing")
class TestBillingHttp(EldercareBillingDataMixin, HttpCase):
    """Portal statements and the XLSX download over HTTP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_billing_month()
        run = cls.env["eldercare.billing.run"]._get_or_create(
            cls.period, cls.env.company, create_invoices=False
        )
        run._run()
        Statement = cls.env["eldercare.statement"]
        cls.statement = Statement.search(
            [("partner_id", "=", cls.elder_alone.id), ("period", "=", cls.period)]
        )
        cls.statement.action_confirm()
        cls.other_statement = Statement.search(
            [("partner_id", "=", cls.elder_normal.id), ("period", "=", cls.period)]
        )
        cls.other_statement.action_confirm()
        cls.env["res.users"].create(
            {
                "name": cls.elder_alone.name,
                "login": "ec_portal_elder",
                "password": "ec_portal_elder",
                "partner_id": cls.elder_alone.id,
                "groups_id": [Command.set([cls.env.ref("base.group_portal").id])],
            }
        )
        new_test_user(
            cls.env,
            login="ec_finance_http",
            password="ec_finance_http",
            groups="eldercare_base.group_eldercare_finance",
        )

    def test_portal_elder_sees_own_statement_only(self):
        self.authenticate("ec_portal_elder", "ec_portal_elder")
        response = self.url_open("/my/statements")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.statement.name, response.text)
        self.assertNotIn(self.other_statement.name, response.text)
        response = self.url_open(f"/my/statements/{self.statement.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("李德明", response.text)
        self.assertIn("173.67", response.text)
        response = self.url_open(f"/my/statements/{self.other_statement.id}")
        self.assertNotIn("赵淑芬", response.text)  # redirected to /my

    def test_xlsx_download(self):
        self.authenticate("ec_finance_http", "ec_finance_http")
        response = self.url_open(
            "/eldercare/billing/report.xlsx?date_from=2025-03-01&date_to=2025-03-31"
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response.headers["Content-Type"])
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        total = list(book["Service Fees"].iter_rows(values_only=True))[-1]
        self.assertEqual(total[0], "Total")
        self.assertAlmostEqual(total[6], 135 + 135 + 226.67 + 165)

    def test_xlsx_refused_to_operators(self):
        new_test_user(
            self.env,
            login="ec_operator_http",
            password="ec_operator_http",
            groups="eldercare_base.group_eldercare_operator",
        )
        self.authenticate("ec_operator_http", "ec_operator_http")
        with mute_logger("odoo.http"):
            response = self.url_open("/eldercare/billing/report.xlsx")
        self.assertNotIn("spreadsheetml", response.headers.get("Content-Type", ""))

    def test_statement_link_with_access_token(self):
        """The emailed / texted link opens the statement without a login; a
        wrong token or a draft statement opens nothing."""
        url = self.statement.get_portal_url()
        self.assertIn("access_token=", url)
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("李德明", response.text)
        self.assertIn("173.67", response.text)
        pdf = self.url_open(f"{url}&report_type=pdf&download=1")
        self.assertEqual(pdf.status_code, 200)
        self.assertIn("attachment", pdf.headers.get("Content-Disposition", ""))
        wrong = self.url_open(
            f"/my/statements/{self.statement.id}?access_token=not-the-token"
        )
        self.assertNotIn("李德明", wrong.text)
        other = self.url_open(
            f"/my/statements/{self.other_statement.id}"
            f"?access_token={self.statement.access_token}"
        )
        self.assertNotIn("赵淑芬", other.text)
        draft = self.env["eldercare.statement"].search(
            [("partner_id", "=", self.elder_dibao.id), ("period", "=", self.period)]
        )
        self.assertEqual(draft.state, "draft")
        response = self.url_open(draft.get_portal_url())
        self.assertNotIn(self.elder_dibao.name, response.text)
