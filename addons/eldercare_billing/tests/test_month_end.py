from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import EldercareBillingDataMixin


@tagged("post_install", "-at_install", "eldercare_billing")
class TestMonthEnd(EldercareBillingDataMixin, AccountTestInvoicingCommon):
    """Month end through Odoo accounting: invoices, subsidy invoices, bills --
    on the Chinese chart in CNY, as a center runs it."""

    country_code = "CN"
    chart_template = "cn"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_billing_month()
        cls.finance_user = new_test_user(
            cls.env,
            login="ec_finance",
            groups="eldercare_base.group_eldercare_finance",
            company_id=cls.env.company.id,
            company_ids=[Command.set(cls.env.company.ids)],
        )

    def _run(self, period=None, user=None):
        env = self.env(user=user or self.finance_user, su=False)
        run = env["eldercare.billing.run"]._get_or_create(
            period or self.period, self.env.company
        )
        run._run()
        return run.sudo()

    def _statement(self, elder, period=None):
        return self.env["eldercare.statement"].search(
            [("partner_id", "=", elder.id), ("period", "=", period or self.period)]
        )

    def _moves(self, kind):
        return self.env["account.move"].search(
            [("eldercare_billing_kind", "=", kind)], order="id"
        )

    def test_month_end_posts_invoices_and_bills(self):
        run = self._run()
        self.assertEqual(run.state, "done", run.summary)
        # elder invoices: elder share only, posted, to the elder; care services
        # are VAT exempt (the exempt tax, no tax amount)
        self.assertEqual(self.env.company.currency_id.name, "CNY")
        exempt = self.env["account.chart.template"].ref("eldercare_sale_exempt")
        expected = {
            self.elder_dibao: 35.0,
            self.elder_alone: 173.67,
            self.elder_normal: 165.0,
        }
        elder_invoices = self._moves("elder")
        self.assertEqual(len(elder_invoices), 3)
        for invoice in elder_invoices:
            self.assertEqual(invoice.state, "posted")
            self.assertEqual(invoice.move_type, "out_invoice")
            self.assertAlmostEqual(invoice.amount_total, expected[invoice.partner_id])
            self.assertEqual(invoice.amount_tax, 0.0)
            self.assertEqual(invoice.invoice_line_ids.tax_ids, exempt)
            self.assertEqual(len(invoice.invoice_line_ids), 1)  # summary line
            statement = self._statement(invoice.partner_id)
            self.assertEqual(statement.invoice_id, invoice)
            self.assertEqual(statement.state, "invoiced")
            self.assertEqual(statement.payment_state, "not_paid")
        free = self._statement(self.elder_free)
        self.assertEqual(free.state, "invoiced")
        self.assertFalse(free.invoice_id)
        self.assertEqual(free.payment_state, "none")

        # subsidy invoices: one per payer, one line per elder
        subsidy = {move.partner_id: move for move in self._moves("subsidy")}
        self.assertEqual(set(subsidy), {self.payer_bureau, self.payer_street})
        bureau = subsidy[self.payer_bureau]
        self.assertEqual(bureau.state, "posted")
        self.assertAlmostEqual(bureau.amount_total, 235.0)
        self.assertEqual(len(bureau.invoice_line_ids), 2)
        self.assertEqual(
            sorted(bureau.invoice_line_ids.mapped("price_subtotal")), [100.0, 135.0]
        )
        self.assertIn("王桂兰", " ".join(bureau.invoice_line_ids.mapped("name")))
        self.assertAlmostEqual(subsidy[self.payer_street].amount_total, 53.0)

        # provider bills at the contracted price (even for the overridden order)
        bills = {move.partner_id: move for move in self._moves("provider")}
        self.assertEqual(set(bills), {self.provider_a, self.provider_b})
        self.assertEqual(bills[self.provider_a].move_type, "in_invoice")
        self.assertEqual(bills[self.provider_a].state, "posted")
        self.assertAlmostEqual(bills[self.provider_a].amount_total, 13 * 45.0 + 25.0)
        self.assertAlmostEqual(bills[self.provider_b].amount_total, 66.67)
        lines = self.env["eldercare.statement.line"].search(
            [("period", "=", self.period)]
        )
        self.assertTrue(all(lines.mapped("vendor_bill_id")))
        self.assertEqual(
            lines.filtered("amount_subsidy").subsidy_move_id,
            bureau | subsidy[self.payer_street],
        )
        self.assertIn("3 elder invoice(s), 2 subsidy invoice(s)", run.summary)

    def test_rerun_creates_nothing_twice(self):
        self._run()
        moves = self.env["account.move"].search(
            [("eldercare_billing_kind", "!=", False)]
        )
        self.assertEqual(len(moves), 3 + 2 + 2)
        run = self._run()
        self.assertEqual(
            self.env["account.move"].search([("eldercare_billing_kind", "!=", False)]),
            moves,
        )
        self.assertEqual(run.statement_count, 4)
        # done after the month was invoiced: reported, billed the next month
        late = self._order(self.elder_normal, self.svc_plumb, self.provider_b, 30)
        run = self._run()
        self.assertIn("billed next month", run.line_ids.message)
        self.assertEqual(run.line_ids.level, "warning")
        self.assertFalse(late.statement_id)
        november = self._run("2025-04")
        self.assertEqual(
            late.statement_id, self._statement(self.elder_normal, "2025-04")
        )
        self.assertEqual(late.statement_id.invoice_id.amount_total, 66.67)
        self.assertEqual(november.statement_count, 1)

    def test_failed_batch_resumes_without_duplicates(self):
        self.env.company.eldercare_billing_chunk_size = 2
        Statement = type(self.env["eldercare.statement"])
        original = Statement._create_elder_invoices
        alone = self.elder_alone

        def flaky(statements, run=None):
            if alone in statements.partner_id:
                raise RuntimeError("Simulated failure")
            return original(statements, run=run)

        with patch.object(Statement, "_create_elder_invoices", flaky):
            run = self._run()
        self.assertEqual(run.state, "done_errors")
        self.assertEqual(run.line_ids.partner_id, alone)
        self.assertIn("Simulated failure", run.line_ids.message)
        self.assertFalse(self._statement(alone))
        self.assertEqual(len(self._moves("elder")), 2)
        bill_a = self._moves("provider").filtered(
            lambda m: m.partner_id == self.provider_a
        )
        self.assertAlmostEqual(bill_a.amount_total, 10 * 45.0)

        run = self._run()  # resume
        self.assertEqual(run.state, "done", run.summary)
        self.assertEqual(len(self._moves("elder")), 3)
        self.assertEqual(self._statement(alone).invoice_id.amount_total, 173.67)
        bills_a = self._moves("provider").filtered(
            lambda m: m.partner_id == self.provider_a
        )
        self.assertAlmostEqual(sum(bills_a.mapped("amount_total")), 13 * 45.0 + 25.0)
        street = self._moves("subsidy").filtered(
            lambda m: m.partner_id == self.payer_street
        )
        self.assertAlmostEqual(street.amount_total, 53.0)

    def test_payment_flows_back_to_statement(self):
        self._run()
        statement = self._statement(self.elder_dibao)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=statement.invoice_id.ids
        ).create({})._create_payments()
        self.assertIn(statement.payment_state, ("paid", "in_payment"))
        self.assertEqual(statement.amount_residual, 0.0)

    def test_configured_taxes_are_applied(self):
        tax = self.env["account.tax"].create(
            {"name": "养老服务税 6%", "amount": 6.0, "type_tax_use": "sale"}
        )
        self.env.company.eldercare_sale_tax_ids = tax
        self.env.company.eldercare_invoice_detail = "service"
        self._run()
        invoice = self._statement(self.elder_alone).invoice_id
        self.assertEqual(invoice.invoice_line_ids.tax_ids, tax)
        # one line per service: care, meal, plumbing
        self.assertEqual(
            invoice.invoice_line_ids.product_id,
            self.svc_care | self.svc_meal | self.svc_plumb,
        )
        self.assertAlmostEqual(invoice.amount_untaxed, 173.67)
        invoice = self._statement(self.elder_normal).invoice_id
        self.assertAlmostEqual(invoice.amount_tax, 9.9)

    def test_statement_manual_flow_and_print(self):
        run = self.env["eldercare.billing.run"]._get_or_create(
            self.period, self.env.company, create_invoices=False
        )
        run._run()
        statement = self._statement(self.elder_alone)
        self.assertEqual(statement.state, "draft")
        statement.action_confirm()
        statement.action_invoice()
        self.assertEqual(statement.state, "invoiced")
        self.assertAlmostEqual(statement.invoice_id.amount_total, 173.67)
        self.assertEqual(statement.invoice_id.state, "posted")
        with self.assertRaises(UserError):
            statement.unlink()
        action = statement.action_print()
        # (wrapped in the "configure your document layout" action on a new company)
        self.assertIn("eldercare_billing.report_statement", str(action))
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "eldercare_billing.action_report_statement_html", statement.ids
            )[0]
            .decode()
        )
        self.assertIn("李德明", html)
        self.assertIn("173.67", html)

    @freeze_time("2025-04-01 02:00:00")
    def test_cron_bills_last_month(self):
        self.env["eldercare.billing.run"]._cron_month_end()
        run = self.env["eldercare.billing.run"].search(
            [("period", "=", "2025-03"), ("company_id", "=", self.env.company.id)]
        )
        self.assertEqual(run.state, "done", run.summary)
        self.assertEqual(run.statement_count, 4)

    def test_installments_paid_in_two_payments_under_chinese_vat(self):
        """l10n_cn, VAT on a repair, the elder share in two installments: the
        first payment makes the statement partly paid, the second paid."""
        self.svc_plumb.eldercare_vat_treatment = "vat_9"
        term = self._two_installments("两期付款", 50.0, 15, 45)
        self.env.company.eldercare_elder_payment_term_id = term
        self.assertEqual(self._run().state, "done")
        statement = self._statement(self.elder_alone)
        invoice = statement.invoice_id
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.invoice_payment_term_id, term)
        self.assertTrue(invoice.amount_tax, "the plumbing carries 9 % VAT")
        installments = invoice.line_ids.filtered(
            lambda ln: ln.display_type == "payment_term"
        ).sorted("date_maturity")
        self.assertEqual(len(installments), 2)
        self.assertEqual(
            [str(d) for d in installments.mapped("date_maturity")],
            ["2025-04-15", "2025-05-15"],
        )
        self.assertEqual(statement.payment_state, "not_paid")
        self.assertEqual(statement.amount_residual, invoice.amount_total)

        def pay(amount):
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"amount": amount})._create_payments()

        first = installments[0].balance
        pay(first)
        self.assertEqual(statement.payment_state, "partial")
        self.assertAlmostEqual(statement.amount_residual, invoice.amount_total - first)
        pay(statement.amount_residual)
        self.assertIn(statement.payment_state, ("paid", "in_payment"))
        self.assertEqual(statement.amount_residual, 0.0)
