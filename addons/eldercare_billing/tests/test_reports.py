import io
from datetime import date

import openpyxl

from odoo.tests import TransactionCase, tagged

from .common import EldercareBillingDataMixin


@tagged("eldercare_billing")
class TestReports(EldercareBillingDataMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_billing_month()
        cls.order_override.write({"satisfaction": "5"})
        run = cls.env["eldercare.billing.run"]._get_or_create(
            cls.period, cls.env.company, create_invoices=False
        )
        run._run()

    def _workbook(self):
        content = self.env["eldercare.billing.xlsx"]._build_xlsx(
            date(2025, 3, 1), date(2025, 3, 31), self.env.company
        )
        return openpyxl.load_workbook(io.BytesIO(content))

    @staticmethod
    def _table(sheet):
        rows = list(sheet.iter_rows(min_row=4, values_only=True))
        return rows[0], rows[1:-1], rows[-1]

    def test_fee_and_subsidy_sheets_match_the_orm(self):
        book = self._workbook()
        self.assertEqual(
            book.sheetnames, ["Service Fees", "Subsidies", "Elders", "Work Orders"]
        )
        header, rows, total = self._table(book["Service Fees"])
        self.assertEqual(header[0], "Month")
        self.assertEqual(total[0], "Total")
        Line = self.env["eldercare.statement.line"]
        [(amount, elder, subsidy, count)] = Line._read_group(
            [("period", "=", self.period)],
            [],
            ["amount:sum", "amount_elder:sum", "amount_subsidy:sum", "__count"],
        )
        self.assertEqual(total[4], count)
        self.assertAlmostEqual(total[6], amount)
        self.assertAlmostEqual(total[7], elder)
        self.assertAlmostEqual(total[8], subsidy)
        self.assertAlmostEqual(amount, 135 + 135 + 226.67 + 165)
        # Chinese text comes back intact
        providers = {row[1] for row in rows}
        self.assertIn("安康家政服务有限公司", providers)
        self.assertIn("樱花园社区", {row[3] for row in rows})

        header, rows, total = self._table(book["Subsidies"])
        by_payer = {}
        for payer, _category, _month, _elders, _count, value in rows:
            by_payer[payer] = by_payer.get(payer, 0) + value
        self.assertAlmostEqual(by_payer["朝阳区民政局"], 235.0)
        self.assertAlmostEqual(by_payer["和平街街道办事处"], 53.0)
        self.assertAlmostEqual(total[5], subsidy)

    def test_elder_and_work_order_sheets(self):
        book = self._workbook()
        _header, rows, total = self._table(book["Elders"])
        ours = [row for row in rows if row[0] and "(测试)" in row[0]]
        self.assertEqual(sum(row[4] for row in ours), 4)
        self.assertIn(("独居(测试)", "樱花园社区"), {(r[0], r[1]) for r in ours})
        elder_total = self.env["eldercare.elder.report"].search_count(
            [("company_id", "in", (self.env.company.id, False))]
        )
        self.assertEqual(total[4], elder_total)

        _header, rows, total = self._table(book["Work Orders"])
        ours = [
            r
            for r in rows
            if r[1] == "安康家政服务有限公司" and r[2] == "居家照护(测试)"
        ]
        self.assertEqual(sum(r[3] for r in ours), 13)
        self.assertEqual(sum(r[4] for r in ours), 13)
        self.assertEqual({r[5] for r in ours}, {100.0})  # no deadline: on time
        rated = [r for r in ours if r[6]]
        self.assertEqual(rated[0][7], 5.0)

    def test_controller_wizard_url(self):
        wizard = self.env["eldercare.xlsx.export.wizard"].create(
            {"date_from": date(2025, 3, 1), "date_to": date(2025, 3, 31)}
        )
        action = wizard.action_export()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn(
            "/eldercare/billing/report.xlsx?date_from=2025-03-01", action["url"]
        )

    def test_pivot_figures(self):
        groups = self.env["eldercare.statement.line"]._read_group(
            [("period", "=", self.period)], ["payer_id"], ["amount_subsidy:sum"]
        )
        self.assertEqual(
            {payer.name: amount for payer, amount in groups if payer},
            {"朝阳区民政局": 235.0, "和平街街道办事处": 53.0},
        )
        wo = self.env["eldercare.work.order.report"]._read_group(
            [("provider_id", "=", self.provider_b.id)],
            [],
            ["completed_count:sum", "on_time_rate:avg"],
        )
        self.assertEqual(wo, [(1, 100.0)])

    def test_chinese_workbook(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["eldercare_billing"], ["zh_CN"], overwrite=True
        )
        content = (
            self.env["eldercare.billing.xlsx"]
            .with_context(lang="zh_CN")
            ._build_xlsx(date(2025, 3, 1), date(2025, 3, 31), self.env.company)
        )
        book = openpyxl.load_workbook(io.BytesIO(content))
        self.assertEqual(book.sheetnames, ["服务费", "补贴", "老人", "工单"])
        sheet = book["服务费"]
        self.assertEqual(sheet["A4"].value, "月份")
        rows = list(sheet.iter_rows(min_row=5, values_only=True))
        self.assertEqual(rows[-1][0], "合计")
        self.assertIn("安康家政服务有限公司", {row[1] for row in rows})
