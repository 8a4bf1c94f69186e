import logging

from odoo import api, fields, models
from odoo.fields import Command

_logger = logging.getLogger(__name__)

# treatment -> (template id of the sales tax, of the purchase tax, rate)
VAT_TREATMENTS = {
    "exempt": ("eldercare_sale_exempt", "eldercare_purchase_exempt", 0.0),
    "vat_6": ("l10n_cn_sales_excluded_6", "l10n_cn_purchase_excluded_6", 6.0),
    "vat_9": ("l10n_cn_sales_excluded_9", "l10n_cn_purchase_excluded_9", 9.0),
    "vat_13": ("l10n_cn_sales_excluded_13", "l10n_cn_purchase_excluded_13", 13.0),
}


class ProductTemplate(models.Model):
    """The VAT treatment of a service item is data: each item of the catalogue
    says whether it is exempt (elderly care) or taxed at which rate, and the
    product's customer/vendor taxes follow it in every company with a chart of
    accounts -- so Odoo's own invoice lines find them as for any product."""

    _inherit = "product.template"

    eldercare_billable = fields.Boolean(
        string="Billed to Elders",
        default=True,
        help="Untick for services the center never bills (e.g. an emergency "
        "follow-up visit): their work orders stay off the statements.",
    )

    eldercare_vat_treatment = fields.Selection(
        [
            ("exempt", "Exempt (elderly care service)"),
            ("vat_6", "VAT 6 % (modern / living services)"),
            ("vat_9", "VAT 9 % (goods: grain, gas; construction)"),
            ("vat_13", "VAT 13 % (goods, repair and maintenance)"),
        ],
        string="VAT Treatment",
        default="exempt",
        help="Sets the customer and vendor taxes of this eldercare service in every "
        "company: elderly care services are exempt from VAT (财税〔2016〕36号); "
        "goods and repairs are taxed.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        templates = super().create(vals_list)
        templates.filtered("is_eldercare_service")._eldercare_apply_tax_treatment()
        return templates

    def write(self, vals):
        res = super().write(vals)
        if "eldercare_vat_treatment" in vals or "is_eldercare_service" in vals:
            self.filtered("is_eldercare_service")._eldercare_apply_tax_treatment()
        return res

    @api.model
    def _eldercare_treatment_taxes(self, treatment, company):
        """(sales tax, purchase tax) of a treatment in a company (may be empty)."""
        Tax = self.env["account.tax"].sudo()
        sale_ref, purchase_ref, rate = VAT_TREATMENTS[treatment or "exempt"]
        chart = self.env["account.chart.template"].sudo().with_company(company)
        taxes = []
        for ref, use in ((sale_ref, "sale"), (purchase_ref, "purchase")):
            tax = chart.ref(ref, raise_if_not_found=False)
            if not tax:
                tax = Tax.search(
                    [
                        *Tax._check_company_domain(company),
                        ("type_tax_use", "=", use),
                        ("amount_type", "=", "percent"),
                        ("amount", "=", rate),
                        ("price_include", "=", False),
                    ],
                    limit=1,
                )
            taxes.append(tax)
        return tuple(taxes)

    def _eldercare_apply_tax_treatment(self, companies=None):
        """Set the products' customer/vendor taxes of ``companies`` (default: all
        companies with a chart of accounts) from their VAT treatment."""
        if not self:
            return
        companies = companies or self.env["res.company"].sudo().search(
            [("chart_template", "!=", False)]
        )
        for company in companies:
            for treatment, products in self.grouped("eldercare_vat_treatment").items():
                sale, purchase = self._eldercare_treatment_taxes(treatment, company)
                if not sale:
                    _logger.warning(
                        "Company %s has no sales tax for VAT treatment %s",
                        company.name,
                        treatment,
                    )
                products = products.sudo()
                products.write(
                    {
                        "taxes_id": [
                            *(
                                Command.unlink(tax.id)
                                for tax in products.taxes_id
                                if tax.company_id == company
                            ),
                            *(Command.link(tax.id) for tax in sale),
                        ],
                        "supplier_taxes_id": [
                            *(
                                Command.unlink(tax.id)
                                for tax in products.supplier_taxes_id
                                if tax.company_id == company
                            ),
                            *(Command.link(tax.id) for tax in purchase),
                        ],
                    }
                )
