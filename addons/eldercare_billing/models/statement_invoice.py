from collections import defaultdict

from odoo import models


class EldercareStatement(models.Model):
    _inherit = "eldercare.statement"

    def _prepare_elder_invoice(self, journal):
        """Add the payment terms and, on the summary line, the services' taxes.

        Lines per service take their product's taxes (Odoo's own rule); the
        summary line has no product, so it carries the taxes of the services it
        sums up -- one summary line per distinct tax when they differ (an exempt
        care visit and a taxed appliance repair in the same month)."""
        header, lines = super()._prepare_elder_invoice(journal)
        company = self.company_id
        header.setdefault(
            "invoice_payment_term_id",
            company._eldercare_payment_term("elder", self.partner_id).id,
        )
        summary = [line for line in lines if not line.get("product_id")]
        if not summary or len(summary) != 1:
            return header, lines
        [summary_line] = summary
        domain = self.env["account.tax"]._check_company_domain(company)
        per_taxes = defaultdict(float)
        for line in self.line_ids:
            if self.currency_id.is_zero(line.amount_elder):
                continue
            taxes = line.product_id.taxes_id.filtered_domain(domain)
            per_taxes[tuple(sorted(taxes.ids))] += line.amount_elder
        if len(per_taxes) <= 1:
            summary_line["tax_ids"] = list(next(iter(per_taxes), ()))
            return header, lines
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
        return header, [*split, *(ln for ln in lines if ln.get("product_id"))]
