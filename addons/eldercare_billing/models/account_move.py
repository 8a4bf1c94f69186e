from odoo import api, fields, models
from odoo.fields import Command


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
    def _eldercare_create_posted(self, documents, company, taxes):
        """Create and post many invoices/bills at once.

        ``documents``: list of (header vals, lines) where the header holds
        move_type, partner_id, journal_id, invoice_date and any extra field, and
        lines are dicts {product_id (or False), name, quantity, price_unit}.

        Without taxes (the default) the journal items are written directly,
        balanced, and Odoo's invoice synchronisation is skipped: that is what makes
        10,000 invoices fit in minutes.  With taxes configured the standard
        invoice lines are used so Odoo computes the taxes.
        """
        if not documents:
            return self.browse()
        moves_ctx = self.with_company(company).with_context(
            tracking_disable=True,
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            mail_notrack=True,
        )
        if taxes:
            vals_list = [
                dict(
                    header,
                    invoice_line_ids=[
                        Command.create(
                            dict(line, tax_ids=[Command.set(taxes.ids)])
                            if line.get("product_id")
                            else dict(
                                {k: v for k, v in line.items() if k != "product_id"},
                                tax_ids=[Command.set(taxes.ids)],
                            )
                        )
                        for line in lines
                    ],
                )
                for header, lines in documents
            ]
            moves = moves_ctx.create(vals_list)
        else:
            vals_list = self._eldercare_prepare_balanced_vals(documents, company)
            moves = moves_ctx.with_context(
                skip_invoice_sync=True, skip_invoice_line_sync=True
            ).create(vals_list)
        self._eldercare_subscribe_partners(moves)
        moves.action_post()
        return moves

    @api.model
    def _eldercare_prepare_balanced_vals(self, documents, company):
        currency = company.currency_id
        partners = (
            self.env["res.partner"]
            .browse({header["partner_id"] for header, _lines in documents})
            .with_company(company)
        )
        partners.fetch(
            ["property_account_receivable_id", "property_account_payable_id"]
        )
        products = (
            self.env["product.product"]
            .browse(
                {
                    ln["product_id"]
                    for _h, lines in documents
                    for ln in lines
                    if ln.get("product_id")
                }
            )
            .with_company(company)
        )
        product_accounts = {
            product.id: (
                product.product_tmpl_id.get_product_accounts(),
                product.uom_id.id,
            )
            for product in products
        }
        journals = self.env["account.journal"].browse(
            {header["journal_id"] for header, _lines in documents}
        )
        default_accounts = {j.id: j.default_account_id.id for j in journals}
        vals_list = []
        for header, lines in documents:
            sale = header["move_type"] in ("out_invoice", "out_receipt")
            sign = -1 if sale else 1
            partner = partners.browse(header["partner_id"])
            commercial = partner.commercial_partner_id
            line_cmds = []
            total = 0.0
            for line in lines:
                amount = currency.round(line["quantity"] * line["price_unit"])
                total += amount
                account = uom = False
                if line.get("product_id"):
                    accounts, uom = product_accounts[line["product_id"]]
                    account = accounts["income" if sale else "expense"]
                    account = account and account.id
                line_cmds.append(
                    Command.create(
                        {
                            "display_type": "product",
                            "product_id": line.get("product_id") or False,
                            "name": line["name"],
                            "quantity": line["quantity"],
                            "price_unit": line["price_unit"],
                            "account_id": account
                            or default_accounts[header["journal_id"]],
                            "partner_id": commercial.id,
                            "product_uom_id": uom,
                            "discount": 0.0,
                            "analytic_distribution": False,
                            "tax_ids": [Command.clear()],
                            "price_subtotal": amount,
                            "price_total": amount,
                            "balance": sign * amount,
                            "amount_currency": sign * amount,
                            "currency_id": currency.id,
                        }
                    )
                )
            total = currency.round(total)
            term_account = (
                commercial.property_account_receivable_id
                if sale
                else commercial.property_account_payable_id
            )
            line_cmds.append(
                Command.create(
                    {
                        "display_type": "payment_term",
                        "name": header.get("payment_reference") or "",
                        "account_id": term_account.id,
                        "partner_id": commercial.id,
                        "balance": -sign * total,
                        "amount_currency": -sign * total,
                        "currency_id": currency.id,
                        "date_maturity": header["invoice_date"],
                    }
                )
            )
            vals_list.append(
                dict(
                    header,
                    currency_id=currency.id,
                    invoice_payment_term_id=False,
                    fiscal_position_id=False,
                    line_ids=line_cmds,
                )
            )
        return vals_list

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
