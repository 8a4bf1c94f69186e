import io

import openpyxl

from odoo.fields import Command
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon

from .common import EldercareBillingDataMixin


@tagged("post_install", "-at_install", "eldercare_billing")
class TestProviderSettlement(EldercareBillingDataMixin, AccountTestInvoicingHttpCommon):
    """Per period, one bill per provider with its settlement sheet, seen by
    finance and by the provider in its portal (its own only)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_billing_month()
        # an order done but not verified: not owed yet
        cls.unverified = cls._order(
            cls.elder_normal, cls.svc_care, cls.provider_a, 25, state="done"
        )
        run = cls.env["eldercare.billing.run"]._get_or_create(
            cls.period, cls.env.company
        )
        run._run()
        Move = cls.env["account.move"]
        cls.bill_a = Move.search(
            [
                ("eldercare_billing_kind", "=", "provider"),
                ("partner_id", "=", cls.provider_a.id),
            ]
        )
        cls.bill_b = Move.search(
            [
                ("eldercare_billing_kind", "=", "provider"),
                ("partner_id", "=", cls.provider_b.id),
            ]
        )
        contact = cls.env["res.partner"].create(
            {"name": "安康 结算员", "parent_id": cls.provider_a.id}
        )
        cls.env["res.users"].create(
            {
                "name": contact.name,
                "login": "ec_settle_provider",
                "password": "ec_settle_provider",
                "partner_id": contact.id,
                "groups_id": [
                    Command.set(
                        [cls.env.ref("eldercare_base.group_eldercare_provider").id]
                    )
                ],
            }
        )

    def test_one_bill_per_provider_with_its_verified_orders(self):
        self.assertEqual(len(self.bill_a), 1)
        self.assertEqual(len(self.bill_b), 1)
        self.assertEqual(self.bill_a.state, "posted")
        lines = self.bill_a.eldercare_settlement_line_ids
        expected = self.orders.filtered(lambda o: o.provider_id == self.provider_a)
        self.assertEqual(lines.work_order_id, expected)
        self.assertNotIn(self.unverified, lines.work_order_id)
        # what the provider is owed is its contracted price, not the elder's
        self.assertAlmostEqual(
            sum(lines.mapped("amount_cost")), self.bill_a.amount_total
        )
        rows = self.bill_a._eldercare_settlement_rows()
        self.assertEqual(len(rows), len(expected))
        override = [r for r in rows if r["work_order"] == self.order_override.name]
        self.assertEqual(override[0]["price_unit"], 45.0)

    def test_settlement_xlsx(self):
        book = openpyxl.load_workbook(
            io.BytesIO(self.bill_a._eldercare_settlement_xlsx())
        )
        sheet = book.active
        self.assertEqual(sheet["B1"].value, self.provider_a.name)
        self.assertEqual(sheet["B2"].value, self.period)
        orders = {sheet.cell(row=r, column=2).value for r in range(6, sheet.max_row)}
        self.assertIn(self.order_override.name, orders)
        total_row = sheet.max_row
        self.assertAlmostEqual(
            sheet.cell(row=total_row, column=8).value, self.bill_a.amount_total
        )

    def test_provider_sees_only_its_own_settlements_in_the_portal(self):
        self.authenticate("ec_settle_provider", "ec_settle_provider")
        html = self.url_open("/my/settlements").text
        self.assertIn(self.bill_a.name, html)
        self.assertNotIn(self.bill_b.name, html)
        page = self.url_open(f"/my/settlements/{self.bill_a.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.order_override.name, page.text)
        self.assertIn(self.elder_normal.name, page.text)
        xlsx = self.url_open(f"/my/settlements/{self.bill_a.id}?report_type=xlsx")
        self.assertEqual(xlsx.status_code, 200)
        book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
        self.assertEqual(book.active["B1"].value, self.provider_a.name)
        pdf = self.url_open(f"/my/settlements/{self.bill_a.id}?report_type=pdf")
        self.assertEqual(pdf.status_code, 200)
        # another provider's bill: refused, nothing of it shown
        other = self.url_open(f"/my/settlements/{self.bill_b.id}")
        self.assertNotIn(self.bill_b.name, other.text)
        self.assertTrue(other.url.endswith("/my"), other.url)
        other = self.url_open(f"/my/settlements/{self.bill_b.id}?report_type=xlsx")
        self.assertNotIn("spreadsheetml", other.headers.get("Content-Type", ""))
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["eldercare_settlement_count"]}
        )
        self.assertEqual(counters["eldercare_settlement_count"], 1)
