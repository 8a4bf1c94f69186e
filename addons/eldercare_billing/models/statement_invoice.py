from collections import defaultdict

from odoo import models
from odoo.exceptions import UserError


class EldercareStatement(models.Model):
    """The elder-share invoice of a statement (the month end posts them in
    batches through ``account.move._eldercare_create_posted``)."""

    _inherit = "eldercare.statement"  # pylint: disable=consider-merging-classes-inherited

    def _prepare_elder_invoice(self, journal):
        """(header vals, lines) of the elder-share invoice: one summary line
        (one per distinct tax), or one line per service."""
        self.ensure_one()
        per_product = {}
        for line in self.line_ids:
            if self.currency_id.is_zero(line.amount_elder):
                continue
            entry = per_product.setdefault(
                line.product_id, {"qty": 0.0, "elder": 0.0, "total": 0.0}
            )
            entry["qty"] += line.quantity
            entry["elder"] += line.amount_elder
            entry["total"] += line.amount
        if self.company_id.eldercare_invoice_detail != "service":
            lines = [
                {
                    "product_id": False,
                    "name": self.env._(
                        "Eldercare services %(period)s, statement %(statement)s: "
                        "%(count)s service(s), total %(total).2f, subsidies "
                        "%(subsidy).2f, elder share",
                        period=self.period,
                        statement=self.name,
                        count=self.line_count,
                        total=self.amount_total,
                        subsidy=self.amount_subsidy,
                    ),
                    "quantity": 1.0,
                    "price_unit": self.amount_elder,
                }
            ]
            per_product = {}
        else:
            lines = []
        lines += [
            {
                "product_id": product.id,
                "name": self.env._(
                    "%(service)s × %(qty)s, %(period)s: total %(total).2f, "
                    "elder share",
                    service=product.name,
                    qty=f"{entry['qty']:g}",
                    period=self.period,
                    total=entry["total"],
                ),
                "quantity": 1.0,
                "price_unit": self.currency_id.round(entry["elder"]),
            }
            for product, entry in per_product.items()
        ]
        header = {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "journal_id": journal.id,
            "company_id": self.company_id.id,
            "invoice_date": self.date_to,
            "date": self.date_to,
            "ref": self.name,
            "invoice_origin": self.name,
            "payment_reference": self.name,
            "eldercare_statement_id": self.id,
            "eldercare_billing_kind": "elder",
            "eldercare_period": self.period,
            "invoice_payment_term_id": self.company_id._eldercare_payment_term(
                "elder", self.partner_id
            ).id,
        }
        return header, self._eldercare_split_summary_by_taxes(lines)

    def _eldercare_split_summary_by_taxes(self, lines):
        """The summary line carries the taxes of the services it sums up.

        Lines per service take their product's taxes (Odoo's own rule); the
        summary line has no product, so it carries the taxes of the services it
        sums up -- one summary line per distinct tax when they differ (an exempt
        care visit and a taxed appliance repair in the same month)."""
        summary = [line for line in lines if not line.get("product_id")]
        if not summary or len(summary) != 1:
            return lines
        [summary_line] = summary
        domain = self.env["account.tax"]._check_company_domain(self.company_id)
        per_taxes = defaultdict(float)
        for line in self.line_ids:
            if self.currency_id.is_zero(line.amount_elder):
                continue
            taxes = line.product_id.taxes_id.filtered_domain(domain)
            per_taxes[tuple(sorted(taxes.ids))] += line.amount_elder
        if len(per_taxes) <= 1:
            summary_line["tax_ids"] = list(next(iter(per_taxes), ()))
            return lines
        Tax = self.env["account.tax"]
        split = [
            dict(
                summary_line,
                name="{} ({})".format(
                    summary_line["name"],
                    ", ".join(Tax.browse(tax_ids).mapped("name")) or "-",
                ),
                price_unit=self.currency_id.round(amount),
                tax_ids=list(tax_ids),
            )
            for tax_ids, amount in sorted(per_taxes.items())
        ]
        return [*split, *(ln for ln in lines if ln.get("product_id"))]

    def _create_elder_invoices(self, run=None):
        """Create and post the elder invoices of statements of ONE company.

        Statements whose elder share is zero (free categories) need no invoice and
        are marked invoiced directly.  Returns the posted invoices.
        """
        if not self:
            return self.env["account.move"]
        company = self.company_id
        company.ensure_one()
        journal = company._eldercare_sale_journal()
        if not journal:
            raise UserError(
                self.env._(
                    "Company %(company)s has no sales journal: install a chart of "
                    "accounts first.",
                    company=company.name,
                )
            )
        to_invoice = self.filtered(
            lambda s: not s.invoice_id and not s.currency_id.is_zero(s.amount_elder)
        )
        to_invoice.line_ids.product_id.fetch(["name"])
        documents = [st._prepare_elder_invoice(journal) for st in to_invoice]
        if run:
            for header, _lines in documents:
                header["eldercare_run_id"] = run.id
        moves = self.env["account.move"]._eldercare_create_posted(
            documents, company, company.eldercare_sale_tax_ids
        )
        for statement, move in zip(to_invoice, moves, strict=True):
            statement.invoice_id = move
        self.write({"state": "invoiced", "delivery_state": "pending"})
        self._trigger_delivery()
        return moves
