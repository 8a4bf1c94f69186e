from datetime import date

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import EldercareBillingDataMixin


@tagged("post_install", "-at_install", "eldercare_billing")
class TestInvoiceParity(EldercareBillingDataMixin, AccountTestInvoicingCommon):
    """A Chinese center (l10n_cn chart, CNY): month-end invoices carry the
    services' VAT and due dates, and the fast path books exactly the journal
    items of Odoo's standard ``account.move.create(...); action_post()``."""

    country_code = "CN"
    chart_template = "cn"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True), su=True)
        cls._setup_billing_data()
        company = cls.env.company
        chart = cls.env["account.chart.template"].with_company(company)
        cls.tax_exempt = chart.ref("eldercare_sale_exempt")
        cls.tax_9 = chart.ref("l10n_cn_sales_excluded_9")
        cls.tax_13 = chart.ref("l10n_cn_sales_excluded_13")
        cls.tax_6 = chart.ref("l10n_cn_sales_excluded_6")
        cls.purchase_9 = chart.ref("l10n_cn_purchase_excluded_9")
        # plumbing is a construction service (9 %), appliance repair 13 %
        cls.svc_plumb.eldercare_vat_treatment = "vat_9"
        cls.svc_repair = cls.env["product.product"].create(
            {
                "name": "家电维修(测试)",
                "type": "service",
                "is_eldercare_service": True,
                "categ_id": cls.categ_house.id,
                "list_price": 100.0,
                "eldercare_vat_treatment": "vat_13",
            }
        )
        cls.env["eldercare.provider.contract.line"].create(
            {
                cls.env["eldercare.provider.contract"]
                ._fields["line_ids"]
                .inverse_name: cls.contract_b.id,
                "product_id": cls.svc_repair.id,
                "price_unit": 88.0,
            }
        )
        cls._setup_month_orders()
        cls.orders |= cls._order(cls.elder_normal, cls.svc_repair, cls.provider_b, 12)
        cls.orders |= cls._order(cls.elder_normal, cls.svc_plumb, cls.provider_b, 14)
        # a fiscal position: 9 % becomes 6 % and the income goes to another account
        plumb_income = cls.svc_plumb.product_tmpl_id.get_product_accounts()["income"]
        cls.other_income = cls.copy_account(plumb_income)
        cls.fpos = cls.env["account.fiscal.position"].create(
            {
                "name": "优惠(测试)",
                "tax_ids": [
                    Command.create(
                        {"tax_src_id": cls.tax_9.id, "tax_dest_id": cls.tax_6.id}
                    )
                ],
                "account_ids": [
                    Command.create(
                        {
                            "account_src_id": plumb_income.id,
                            "account_dest_id": cls.other_income.id,
                        }
                    )
                ],
            }
        )
        cls.elder_normal.property_account_position_id = cls.fpos
        # provider B is paid in two installments
        cls.provider_b.property_supplier_payment_term_id = cls._two_installments(
            "30% now, 70% in 45 days", 30.0, 0, 45
        )

    def _run(self, **context):
        run = (
            self.env["eldercare.billing.run"]
            .with_context(**context)
            ._get_or_create(self.period, self.env.company)
        )
        run.with_context(**context)._run()
        return run

    def _statement(self, elder):
        return self.env["eldercare.statement"].search(
            [("partner_id", "=", elder.id), ("period", "=", self.period)]
        )

    @staticmethod
    def _items(move):
        """What the accountant sees of a move, comparable between two moves."""
        currency = move.company_id.currency_id
        header = (
            move.move_type,
            move.partner_id.id,
            move.journal_id.id,
            move.eldercare_billing_kind,
            move.invoice_date,
            move.invoice_date_due,
            move.invoice_payment_term_id.id,
            move.fiscal_position_id.id,
            move.partner_shipping_id.id,
            move.delivery_date,
            move.invoice_currency_rate,
            move.currency_id.id,
            currency.round(move.amount_untaxed),
            currency.round(move.amount_tax),
            currency.round(move.amount_total),
            currency.round(move.amount_residual),
        )
        lines = sorted(
            (
                line.display_type,
                line.sequence,
                line.tax_group_id.id,
                line.company_id.id,
                line.company_currency_id.id,
                line.journal_id.id,
                line.account_id.code,
                line.product_id.id,
                # numbers differ between two runs: the move's, the statement's
                (line.name or "")
                .replace(move.name, "<number>")
                .replace(move.eldercare_statement_id.name or "<number>", "<statement>"),
                line.partner_id.id,
                tuple(sorted(line.tax_ids.ids)),
                line.tax_line_id.id,
                line.tax_repartition_line_id.id,
                tuple(sorted(line.tax_tag_ids.ids)),
                line.tax_tag_invert,
                line.product_uom_id.id,
                line.quantity,
                line.price_unit,
                currency.round(line.price_subtotal),
                currency.round(line.price_total),
                currency.round(line.debit),
                currency.round(line.credit),
                currency.round(line.tax_base_amount),
                line.date_maturity,
            )
            for line in move.line_ids
        )
        return header, lines

    def test_chinese_chart_in_cny(self):
        company = self.env.company
        self.assertEqual(company.chart_template, "cn")
        self.assertEqual(company.currency_id.name, "CNY")
        self.assertEqual(company.account_fiscal_country_id.code, "CN")

        def taxes(taxes):
            return taxes.filtered(lambda tax: tax.company_id == company)

        self.assertEqual(taxes(self.svc_care.taxes_id), self.tax_exempt)
        self.assertEqual(taxes(self.svc_plumb.taxes_id), self.tax_9)
        self.assertEqual(taxes(self.svc_repair.taxes_id), self.tax_13)
        self.assertEqual(taxes(self.svc_plumb.supplier_taxes_id), self.purchase_9)

    def test_month_end_invoices_carry_vat_and_due_dates(self):
        run = self._run()
        self.assertEqual(run.state, "done", run.summary)
        # care visits: exempt, no tax amount; the due date is 15 days later
        dibao = self._statement(self.elder_dibao).invoice_id
        self.assertEqual(dibao.currency_id.name, "CNY")
        self.assertEqual(dibao.invoice_line_ids.tax_ids, self.tax_exempt)
        self.assertEqual(dibao.amount_tax, 0.0)
        self.assertEqual(dibao.invoice_date, date(2025, 3, 31))
        self.assertEqual(dibao.invoice_date_due, date(2025, 4, 15))
        # alone: care + meals exempt, plumbing 9 %: one summary line per tax
        alone = self._statement(self.elder_alone).invoice_id
        self.assertEqual(len(alone.invoice_line_ids), 2)
        self.assertEqual(alone.invoice_line_ids.tax_ids, self.tax_exempt | self.tax_9)
        self.assertAlmostEqual(alone.amount_untaxed, 173.67)
        self.assertAlmostEqual(alone.amount_tax, 6.0)  # 9 % of 66.67
        self.assertEqual(alone.line_ids.filtered("tax_line_id").tax_line_id, self.tax_9)
        # normal (fiscal position): plumbing 9 % -> 6 %, repair stays 13 %
        normal = self._statement(self.elder_normal).invoice_id
        self.assertEqual(normal.fiscal_position_id, self.fpos)
        self.assertEqual(
            normal.line_ids.filtered("tax_line_id").tax_line_id,
            self.tax_13 | self.tax_9,
        )  # summary lines carry the services' taxes unmapped (no product)
        # provider B: plumbing (9 % input VAT) and repair, in two installments
        bill = run.move_ids.filtered(
            lambda m: m.eldercare_billing_kind == "provider"
            and m.partner_id == self.provider_b
        )
        self.assertEqual(bill.move_type, "in_invoice")
        self.assertEqual(bill.state, "posted")
        self.assertTrue(bill.amount_tax > 0)
        terms = bill.line_ids.filtered(lambda ln: ln.display_type == "payment_term")
        self.assertEqual(
            sorted(terms.mapped("date_maturity")),
            [date(2025, 3, 31), date(2025, 5, 15)],
        )
        self.assertEqual(bill.invoice_date_due, date(2025, 5, 15))
        subsidy = run.move_ids.filtered(lambda m: m.eldercare_billing_kind == "subsidy")
        self.assertEqual(subsidy.invoice_line_ids.tax_ids, self.tax_exempt)
        self.assertEqual(set(subsidy.mapped("invoice_date_due")), {date(2025, 5, 30)})

    def _documents(self):
        """Elder invoices per statement (summary and per-service lines), a
        provider bill and a subsidy invoice, as the month end prepares them."""
        run = self.env["eldercare.billing.run"]._get_or_create(
            self.period, self.env.company, create_invoices=False
        )
        run._run()
        company = self.env.company
        journal = company._eldercare_sale_journal()
        statements = run.statement_ids.filtered(
            lambda s: not company.currency_id.is_zero(s.amount_elder)
        )
        documents = [st._prepare_elder_invoice(journal) for st in statements]
        company.eldercare_invoice_detail = "service"
        documents += [st._prepare_elder_invoice(journal) for st in statements]
        company.eldercare_invoice_detail = "summary"
        documents.append(
            (
                {
                    "move_type": "in_invoice",
                    "partner_id": self.provider_b.id,
                    "journal_id": company._eldercare_purchase_journal().id,
                    "invoice_date": date(2025, 3, 31),
                    "date": date(2025, 3, 31),
                    "ref": "bill",
                    "eldercare_billing_kind": "provider",
                    "invoice_payment_term_id": company._eldercare_payment_term(
                        "provider", self.provider_b
                    ).id,
                },
                [
                    {
                        "product_id": self.svc_plumb.id,
                        "name": "管道疏通 x 3",
                        "quantity": 3.0,
                        "price_unit": 66.67,
                    },
                    {
                        "product_id": self.svc_repair.id,
                        "name": "家电维修 x 1",
                        "quantity": 1.0,
                        "price_unit": 88.0,
                    },
                ],
            )
        )
        documents.append(
            (
                {
                    "move_type": "out_invoice",
                    "partner_id": self.payer_bureau.id,
                    "journal_id": journal.id,
                    "invoice_date": date(2025, 3, 31),
                    "date": date(2025, 3, 31),
                    "ref": "subsidy",
                    "eldercare_billing_kind": "subsidy",
                    "invoice_payment_term_id": company._eldercare_payment_term(
                        "subsidy", self.payer_bureau
                    ).id,
                },
                [
                    {
                        "product_id": False,
                        "name": "王桂兰 subsidised",
                        "quantity": 1.0,
                        "price_unit": 135.0,
                        "tax_ids": self.tax_exempt.ids,
                    },
                    {
                        "product_id": False,
                        "name": "张秀英 subsidised",
                        "quantity": 1.0,
                        "price_unit": 100.0,
                        "tax_ids": self.tax_exempt.ids,
                    },
                ],
            )
        )
        return documents

    def _standard_moves(self, documents):
        """Odoo's standard invoice creation, written here independently of the
        addon: invoice lines only; a line without product names its account
        and taxes (Odoo cannot guess them)."""
        journals = self.env["account.journal"].browse(
            {h["journal_id"] for h, _lines in documents}
        )
        default_account = {j.id: j.default_account_id.id for j in journals}
        vals_list = []
        for header, lines in documents:
            invoice_lines = []
            for line in lines:
                vals = {
                    "name": line["name"],
                    "quantity": line["quantity"],
                    "price_unit": line["price_unit"],
                }
                if line.get("product_id"):
                    vals["product_id"] = line["product_id"]
                else:
                    vals["account_id"] = default_account[header["journal_id"]]
                    vals["tax_ids"] = [Command.set(line.get("tax_ids") or [])]
                invoice_lines.append(Command.create(vals))
            vals_list.append(dict(header, invoice_line_ids=invoice_lines))
        moves = self.env["account.move"].create(vals_list)
        moves.action_post()
        return moves

    def test_fast_path_books_what_odoo_books(self):
        documents = self._documents()
        self.assertGreaterEqual(len(documents), 8)
        company = self.env.company
        fast = self.env["account.move"]._eldercare_create_posted(documents, company)
        standard = self._standard_moves(documents)
        self.assertEqual(len(fast), len(standard))
        self.assertTrue(any(fast.mapped("amount_tax")), "no taxed document tested")
        self.assertTrue(fast.fiscal_position_id, "no fiscal position tested")
        self.assertTrue(
            any(
                len(m.line_ids.filtered(lambda ln: ln.display_type == "payment_term"))
                > 1
                for m in fast
            ),
            "no installments tested",
        )
        for fast_move, standard_move in zip(fast, standard, strict=True):
            self.assertEqual(
                self._items(fast_move),
                self._items(standard_move),
                f"{fast_move.ref}: fast path differs from Odoo's standard invoice",
            )

    def test_month_end_fast_equals_standard(self):
        """The whole month end, fast path vs Odoo's standard creation."""

        def snapshot():
            moves = self.env["account.move"].search([("eldercare_run_id", "!=", False)])
            return sorted(self._items(move) for move in moves)

        with self.env.cr.savepoint() as savepoint:
            self.assertEqual(self._run().state, "done")
            fast = snapshot()
            savepoint.rollback()
        self.env.invalidate_all()
        self.assertFalse(self._statement(self.elder_alone))
        run = self._run(eldercare_standard_invoices=True)
        self.assertEqual(run.state, "done", run.summary)
        standard = snapshot()
        self.assertEqual(len(fast), 3 + 2 + 2)
        self.assertEqual(fast, standard)

    def test_batch_numbering_and_balance_check(self):
        """The fast path numbers its moves from one read of the last number:
        consecutive, unique, and the standard creation continues after them."""
        documents = self._documents()
        company = self.env.company
        fast = self.env["account.move"]._eldercare_create_posted(documents, company)
        standard = self._standard_moves(documents)
        for journal in fast.journal_id:
            numbers = sorted(
                fast.filtered(lambda m, j=journal: m.journal_id == j).mapped(
                    "sequence_number"
                )
            )
            self.assertEqual(
                numbers, list(range(numbers[0], numbers[0] + len(numbers)))
            )
            after = standard.filtered(lambda m, j=journal: m.journal_id == j)
            self.assertEqual(
                min(after.mapped("sequence_number")),
                numbers[-1] + 1,
                "Odoo's own numbering continues right after the batch",
            )
            self.assertEqual(
                set(
                    fast.filtered(lambda m, j=journal: m.journal_id == j).mapped(
                        "sequence_prefix"
                    )
                ),
                set(after.mapped("sequence_prefix")),
            )
        self.assertEqual(len(set(fast.mapped("name"))), len(fast))
        self.assertTrue(all(move.state == "posted" for move in fast))
        # the one-query balance check refuses an unbalanced entry as Odoo does
        journal = company._eldercare_sale_journal()
        account = journal.default_account_id
        unbalanced = (
            self.env["account.move"]
            .with_context(check_move_validity=False)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "line_ids": [
                        Command.create(
                            {"account_id": account.id, "name": "x", "debit": 10.0}
                        )
                    ],
                }
            )
        )
        with self.assertRaisesRegex(UserError, "unbalanced"):
            self.env["account.move"]._eldercare_check_balanced(fast | unbalanced)
        self.env["account.move"]._eldercare_check_balanced(fast)
