from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command

# account.move.line._compute_sequence
LINE_SEQUENCES = {"tax": 10000, "rounding": 11000, "payment_term": 12000}


class AccountMove(models.Model):
    _inherit = "account.move"

    eldercare_billing_kind = fields.Selection(
        [
            ("elder", "Elder Share"),
            ("subsidy", "Subsidy"),
            ("provider", "Provider Bill"),
        ],
        string="Eldercare Billing",
        copy=False,
        readonly=True,
        index="btree_not_null",
    )
    eldercare_period = fields.Char(copy=False, readonly=True)
    eldercare_statement_id = fields.Many2one(
        "eldercare.statement",
        copy=False,
        readonly=True,
        index="btree_not_null",
    )
    eldercare_run_id = fields.Many2one(
        "eldercare.billing.run",
        string="Month-end Run",
        copy=False,
        readonly=True,
        index="btree_not_null",
    )

    # ------------------------------------------------------------------
    # Batch creation of eldercare invoices and bills
    # ------------------------------------------------------------------
    @api.model
    def _eldercare_create_posted(self, documents, company, taxes=None):
        """Create and post many invoices/bills at once.

        ``documents``: list of (header vals, lines) where the header holds
        move_type, partner_id, journal_id, invoice_date (and optionally
        invoice_payment_term_id) and any extra field; lines are dicts
        {product_id (or False), name, quantity, price_unit[, tax_ids]}.

        Taxes of a line: ``taxes`` when given (the company's "Eldercare taxes"
        override), else the line's explicit ``tax_ids``, else -- as Odoo does --
        the product's customer/vendor taxes mapped by the partner's fiscal
        position; a line without product and without ``tax_ids`` has no tax.
        Fiscal positions are Odoo's (``_get_fiscal_position``), payment terms the
        header's or the partner's.

        The fast path writes every journal item at once (product, tax and
        payment-term lines computed with Odoo's own tax engine and
        ``account.payment.term._compute_terms``) and skips Odoo's per-move
        synchronisation: that is what makes 10,000 invoices fit in minutes.
        ``test_invoice_parity`` proves it gives the journal items of
        ``account.move.create(invoice_line_ids=...)``.  What it does not cover
        (early-payment discounts, cash-basis taxes, cash rounding) goes through
        the standard creation.
        """
        if not documents:
            return self.browse()
        moves_ctx = self.with_company(company).with_context(
            tracking_disable=True,
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            mail_notrack=True,
        )
        taxes = taxes or self.env["account.tax"]
        context = self._eldercare_accounting_context(documents, company, taxes)
        if self.env.context.get("eldercare_standard_invoices") or not context["fast"]:
            vals_list = self._eldercare_prepare_invoice_vals(documents, taxes, context)
            moves = moves_ctx.create(vals_list)
        else:
            vals_list = self._eldercare_prepare_balanced_vals(
                documents, company, taxes, context
            )
            moves = moves_ctx.with_context(
                skip_invoice_sync=True,
                skip_invoice_line_sync=True,
                eldercare_bulk_moves=True,
            ).create(vals_list)
        self._eldercare_subscribe_partners(moves)
        if moves.env.context.get("eldercare_bulk_moves"):
            # posting names each move with a write of its own, and every write
            # checks its move's balance with a query: check them all at once
            moves.with_context(check_move_validity=False).action_post()
            self._eldercare_check_balanced(moves)
        else:
            moves.action_post()
        return moves.with_env(self.env)

    @api.model
    def _eldercare_check_balanced(self, moves):
        """Odoo's balance check (``_check_balanced``) for many moves in one query."""
        unbalanced = moves._get_unbalanced_moves({"records": moves})
        if unbalanced:
            raise UserError(
                self.env._(
                    "The following entries are unbalanced: %(moves)s",
                    moves=", ".join(
                        moves.browse(row[0]).display_name for row in unbalanced
                    ),
                )
            )

    @api.model
    def _eldercare_accounting_context(self, documents, company, taxes):
        """Records the documents need, read in batch: partners, products, taxes,
        fiscal positions and payment terms; ``fast`` tells whether the fast path
        covers them all."""
        Partner = self.env["res.partner"].with_company(company)
        partners = Partner.browse({h["partner_id"] for h, _lines in documents})
        partners.fetch(
            [
                "commercial_partner_id",
                "property_account_receivable_id",
                "property_account_payable_id",
                "property_payment_term_id",
                "property_supplier_payment_term_id",
            ]
        )
        Product = self.env["product.product"].with_company(company)
        products = Product.browse(
            {
                ln["product_id"]
                for _h, lines in documents
                for ln in lines
                if ln.get("product_id")
            }
        )
        products.fetch(["uom_id", "uom_po_id", "product_tmpl_id"])
        Tax = self.env["account.tax"]
        explicit_tax_ids = {
            tax_id
            for _h, lines in documents
            for ln in lines
            for tax_id in ln.get("tax_ids") or ()
        }
        company_domain = Tax._check_company_domain(company)
        all_taxes = (
            taxes
            | Tax.browse(explicit_tax_ids)
            | products.taxes_id.filtered_domain(company_domain)
            | products.supplier_taxes_id.filtered_domain(company_domain)
        )
        # the delivery address of each partner, once (child_ids read in batch)
        partners.mapped("child_ids")
        deliveries = {
            partner.id: partner.address_get(["delivery"])["delivery"]
            for partner in partners
        }
        Fpos = self.env["account.fiscal.position"].with_company(company)
        fiscal_positions = {}
        if Fpos.search_count(Fpos._check_company_domain(company), limit=1):
            for partner in partners:
                delivery = Partner.browse(deliveries[partner.id])
                fiscal_positions[partner.id] = Fpos._get_fiscal_position(
                    partner, delivery=delivery
                )
        fpos_records = (
            Fpos.union(*fiscal_positions.values()) if fiscal_positions else Fpos
        )
        all_taxes |= fpos_records.tax_ids.tax_dest_id
        terms = self.env["account.payment.term"].browse(
            {
                h["invoice_payment_term_id"]
                for h, _l in documents
                if h.get("invoice_payment_term_id")
            }
        )
        terms |= (
            partners.property_payment_term_id
            | partners.property_supplier_payment_term_id
        )
        fast = (
            not any(terms.mapped("early_discount"))
            and not any(
                t.tax_exigibility == "on_payment"
                for t in all_taxes.flatten_taxes_hierarchy()
            )
            and not any(h.get("invoice_cash_rounding_id") for h, _l in documents)
            and not any(
                h.get("currency_id") not in (None, False, company.currency_id.id)
                for h, _l in documents
            )
        )
        return {
            "partners": partners,
            "products": products,
            "fiscal_positions": fiscal_positions,
            "deliveries": deliveries,
            "fast": fast,
        }

    @api.model
    def _eldercare_payment_term(self, header, partner):
        if "invoice_payment_term_id" in header:
            return self.env["account.payment.term"].browse(
                header["invoice_payment_term_id"] or ()
            )
        if header["move_type"] in ("out_invoice", "out_refund", "out_receipt"):
            return partner.property_payment_term_id
        return partner.property_supplier_payment_term_id

    @api.model
    def _eldercare_prepare_invoice_vals(self, documents, taxes, context):
        """Odoo's standard invoice creation: invoice lines only, Odoo computes
        accounts, taxes, fiscal position, tax lines and due dates."""
        journals = self.env["account.journal"].browse(
            {header["journal_id"] for header, _lines in documents}
        )
        default_accounts = {j.id: j.default_account_id.id for j in journals}
        vals_list = []
        for header, lines in documents:
            line_cmds = []
            for line in lines:
                vals = {k: v for k, v in line.items() if k != "tax_ids"}
                if taxes:
                    vals["tax_ids"] = [Command.set(taxes.ids)]
                elif "tax_ids" in line or not line.get("product_id"):
                    vals["tax_ids"] = [Command.set(line.get("tax_ids") or [])]
                if not line.get("product_id"):
                    vals.pop("product_id", None)
                    vals["account_id"] = default_accounts[header["journal_id"]]
                line_cmds.append(Command.create(vals))
            vals_list.append(dict(header, invoice_line_ids=line_cmds))
        return vals_list

    @api.model
    def _eldercare_prepare_balanced_vals(self, documents, company, taxes, context):
        """Every journal item of the documents, as Odoo's synchronisation would
        compute them (see ``_eldercare_create_posted``)."""
        AccountTax = self.env["account.tax"]
        currency = company.currency_id
        partners = context["partners"]
        fiscal_positions = context["fiscal_positions"]
        products = context["products"]
        company_domain = AccountTax._check_company_domain(company)
        product_data = {}
        for product in products:
            product_data[product.id] = {
                "product": product,
                "sale_taxes": product.taxes_id.filtered_domain(company_domain),
                "purchase_taxes": product.supplier_taxes_id.filtered_domain(
                    company_domain
                ),
                "accounts": {},
            }
        journals = self.env["account.journal"].browse(
            {header["journal_id"] for header, _lines in documents}
        )
        default_accounts = {j.id: j.default_account_id for j in journals}
        Fpos = self.env["account.fiscal.position"]
        vals_list = []
        for header, lines in documents:
            sale = header["move_type"] in ("out_invoice", "out_receipt")
            direction_sign = -1 if sale else 1
            partner = partners.browse(header["partner_id"])
            commercial = partner.commercial_partner_id
            fpos = fiscal_positions.get(partner.id, Fpos)
            base_lines = []
            for index, line in enumerate(lines):
                product_id = line.get("product_id")
                data = product_data.get(product_id)
                if data:
                    if fpos not in data["accounts"]:
                        data["accounts"][fpos] = data[
                            "product"
                        ].product_tmpl_id.get_product_accounts(fiscal_pos=fpos)
                    accounts = data["accounts"][fpos]
                    account = accounts["income" if sale else "expense"]
                    uom = data["product"].uom_id if sale else data["product"].uom_po_id
                else:
                    account = False
                    uom = self.env["uom.uom"]
                account = account or default_accounts[header["journal_id"]]
                if taxes:
                    line_taxes = taxes
                elif "tax_ids" in line or not data:
                    line_taxes = AccountTax.browse(line.get("tax_ids") or ())
                else:
                    line_taxes = data["sale_taxes" if sale else "purchase_taxes"]
                    if line_taxes and fpos:
                        line_taxes = fpos.map_tax(line_taxes)
                base_lines.append(
                    AccountTax._prepare_base_line_for_taxes_computation(
                        None,
                        id=index + 1,
                        product_id=data["product"] if data else False,
                        product_uom_id=uom,
                        tax_ids=line_taxes,
                        price_unit=line["price_unit"],
                        quantity=line["quantity"],
                        discount=0.0,
                        currency_id=currency,
                        partner_id=commercial,
                        account_id=account,
                        rate=1.0,
                        sign=direction_sign,
                        is_refund=False,
                        tax_tag_invert=sale if line_taxes else False,
                        special_mode=False,
                        name=line["name"],
                    )
                )
            AccountTax._add_tax_details_in_base_lines(base_lines, company)
            AccountTax._round_base_lines_tax_details(base_lines, company)
            AccountTax._add_accounting_data_in_base_lines_tax_details(
                base_lines, company, include_caba_tags=False
            )
            tax_results = AccountTax._prepare_tax_lines(base_lines, company)
            repartitions = self.env["account.tax.repartition.line"]
            line_cmds = []
            untaxed = 0.0
            for base_line, to_update in tax_results["base_lines_to_update"]:
                untaxed -= to_update["balance"]
                line_cmds.append(
                    Command.create(
                        {
                            "display_type": "product",
                            "product_id": base_line["product_id"].id,
                            "name": base_line["name"],
                            "quantity": base_line["quantity"],
                            "price_unit": base_line["price_unit"],
                            "account_id": base_line["account_id"].id,
                            "partner_id": commercial.id,
                            "product_uom_id": base_line["product_uom_id"].id,
                            "discount": 0.0,
                            "analytic_distribution": False,
                            "tax_ids": [Command.set(base_line["tax_ids"].ids)],
                            "currency_id": currency.id,
                            # what _compute_totals / _compute_tax_tag_invert give
                            "price_subtotal": base_line["tax_details"][
                                "raw_total_excluded_currency"
                            ],
                            "price_total": base_line["tax_details"][
                                "raw_total_included_currency"
                            ],
                            "tax_tag_invert": base_line["tax_tag_invert"],
                            **to_update,
                        }
                    )
                )
            tax_total = 0.0
            for tax_vals in tax_results["tax_lines_to_add"]:
                tax_total -= tax_vals["balance"]
                line_cmds.append(
                    Command.create(
                        dict(tax_vals, display_type="tax", tax_tag_invert=sale)
                    )
                )
            line_cmds += self._eldercare_term_lines(
                header, partner, commercial, fpos, company, untaxed, tax_total, sale
            )
            for _cmd, _id, vals in line_cmds:
                self._eldercare_complete_line(vals, header, company, repartitions)
            vals_list.append(
                dict(
                    header,
                    currency_id=currency.id,
                    invoice_payment_term_id=self._eldercare_payment_term(
                        header, partner
                    ).id,
                    fiscal_position_id=fpos.id,
                    # the other precomputed fields: with all of them given, the
                    # ORM need not build a new() record per move and per line
                    partner_shipping_id=context["deliveries"][partner.id],
                    delivery_date=header.get("delivery_date", False),
                    invoice_currency_rate=1.0,
                    line_ids=line_cmds,
                )
            )
        return vals_list

    @api.model
    def _eldercare_complete_line(self, vals, header, company, repartitions):
        """The precomputed fields of a journal item, as their computes give them."""
        balance = vals["balance"]
        display_type = vals["display_type"]
        vals.update(
            company_id=company.id,
            company_currency_id=company.currency_id.id,
            journal_id=header["journal_id"],
            debit=balance if balance > 0.0 else 0.0,
            credit=-balance if balance < 0.0 else 0.0,
            sequence=LINE_SEQUENCES.get(display_type, 100),
        )
        if display_type == "product":
            vals.update(tax_line_id=False, tax_group_id=False)
            return
        vals.update(quantity=0.0, price_unit=0.0, product_uom_id=False)
        if display_type == "tax":
            tax = repartitions.browse(vals["tax_repartition_line_id"]).tax_id
            vals.update(tax_line_id=tax.id, tax_group_id=tax.tax_group_id.id)
        else:
            vals.update(
                tax_ids=[Command.set([])], tax_line_id=False, tax_group_id=False
            )

    @api.model
    def _eldercare_term_lines(
        self, header, partner, commercial, fpos, company, untaxed, tax_total, sale
    ):
        """Receivable/payable lines with their due dates (``_compute_needed_terms``)."""
        currency = company.currency_id
        if sale:
            account = commercial.property_account_receivable_id
        else:
            account = commercial.property_account_payable_id
        if fpos:
            account = fpos.map_account(account)
        term = self._eldercare_payment_term(header, partner)
        date_ref = header.get("invoice_date") or header.get("date")
        amounts = {}
        if term:
            sign = 1 if sale else -1
            terms = term._compute_terms(
                date_ref=date_ref,
                currency=currency,
                company=company,
                tax_amount=tax_total,
                tax_amount_currency=tax_total,
                sign=sign,
                untaxed_amount=untaxed,
                untaxed_amount_currency=untaxed,
                cash_rounding=None,
            )
            for term_line in terms["line_ids"]:
                due = fields.Date.to_date(term_line.get("date"))
                amounts.setdefault(due, [0.0, 0.0])
                amounts[due][0] += term_line["company_amount"]
                amounts[due][1] += term_line["foreign_amount"]
        else:
            total = currency.round(untaxed + tax_total)
            due = fields.Date.to_date(header.get("invoice_date_due") or date_ref)
            amounts[due] = [total, total]
        # the name _compute_name gives a payment-term line
        ref, reference = header.get("ref"), header.get("payment_reference")
        if reference and ref and reference != ref:
            name = f"{ref} - {reference}"
        else:
            name = reference or False
        installments = len(term.line_ids) > 1
        return [
            Command.create(
                {
                    "display_type": "payment_term",
                    "name": self.env._(
                        "%(name)s installment #%(number)s",
                        name=name if name else "",
                        number=index + 1,
                    ).lstrip()
                    if installments
                    else name,
                    "account_id": account.id,
                    "partner_id": commercial.id,
                    "balance": balance,
                    "amount_currency": amount_currency,
                    "currency_id": currency.id,
                    "date_maturity": due,
                }
            )
            for index, (due, (balance, amount_currency)) in enumerate(
                sorted(amounts.items())
            )
        ]

    @api.model
    def _eldercare_subscribe_partners(self, moves):
        """Subscribe each customer/vendor to its move in one batch (posting would
        otherwise do it move by move)."""
        subtypes = self.env["mail.message.subtype"].default_subtypes("account.move")[0]
        self.env["mail.followers"].sudo().create(
            [
                {
                    "res_model": "account.move",
                    "res_id": move.id,
                    "partner_id": move.partner_id.id,
                    "subtype_ids": [Command.set(subtypes.ids)],
                }
                for move in moves
                if move.partner_id
            ]
        )
