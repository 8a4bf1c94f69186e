from odoo import api, models

from odoo.addons.account.models.chart_template import template

EXEMPT_TAX_GROUP = "eldercare_tax_group_exempt"


class AccountChartTemplate(models.AbstractModel):
    """Every chart of accounts gets the VAT-exempt taxes of elderly care services.

    Elderly care services provided by care institutions are exempt from VAT in
    China (财税〔2016〕36号, 附件3 第一条(二)); the taxed items use the rates of the
    chart (l10n_cn: 6 %, 9 %, 13 %).  Which tax applies to which service item is
    data: ``product.template.eldercare_vat_treatment``.
    """

    _inherit = "account.chart.template"

    @template(model="account.tax.group")
    def _get_eldercare_tax_group(self, template_code):
        return {
            EXEMPT_TAX_GROUP: {
                "name": "VAT Exempt",
                "name@zh_CN": "免征增值税",
                "sequence": 1,
            },
        }

    @template(model="account.tax")
    def _get_eldercare_tax(self, template_code):
        return {
            f"eldercare_{use}_exempt": {
                "name": "Exempt (elderly care)",
                "name@zh_CN": "免税（养老服务）",
                "description": "VAT exempt",
                "invoice_label": "Exempt",
                "invoice_label@zh_CN": "免税",
                "amount": 0.0,
                "amount_type": "percent",
                "type_tax_use": use,
                "tax_group_id": EXEMPT_TAX_GROUP,
                "sequence": 1,
            }
            for use in ("sale", "purchase")
        }

    def _post_load_data(self, template_code, company, template_data):
        res = super()._post_load_data(template_code, company, template_data)
        company = company or self.env.company
        self.env["product.template"].with_context(active_test=False).search(
            [("is_eldercare_service", "=", True)]
        )._eldercare_apply_tax_treatment(company)
        return res

    @api.model
    def _eldercare_load_exempt_taxes(self):
        """Install/upgrade: the exempt taxes on companies already on a chart."""
        for company in self.env["res.company"].search(
            [("chart_template", "!=", False)], order="parent_path"
        ):
            chart = self.with_company(company)
            if not chart.ref("eldercare_sale_exempt", raise_if_not_found=False):
                data = {
                    "account.tax.group": chart._get_eldercare_tax_group(
                        company.chart_template
                    ),
                    "account.tax": chart._get_eldercare_tax(company.chart_template),
                }
                chart._load_data(data)
                chart._load_translations(
                    companies=company,
                    template_data={
                        "account.tax.group": chart._get_eldercare_tax_group(None),
                        "account.tax": chart._get_eldercare_tax(None),
                    },
                )
            self.env["product.template"].with_context(active_test=False).search(
                [("is_eldercare_service", "=", True)]
            )._eldercare_apply_tax_treatment(company)
