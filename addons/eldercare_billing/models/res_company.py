from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    eldercare_sale_journal_id = fields.Many2one(
        "account.journal",
        string="Eldercare Sales Journal",
        domain="[('type', '=', 'sale')]",
        help="Journal of the elder and subsidy invoices (default: first sales "
        "journal).",
    )
    eldercare_purchase_journal_id = fields.Many2one(
        "account.journal",
        domain="[('type', '=', 'purchase')]",
        help="Journal of the provider bills (default: first purchase journal).",
    )
    eldercare_sale_tax_ids = fields.Many2many(
        "account.tax",
        "res_company_eldercare_sale_tax_rel",
        string="Eldercare Sales Taxes",
        domain="[('type_tax_use', '=', 'sale')]",
        help="Taxes put on elder and subsidy invoice lines. Empty: no tax.",
    )
    eldercare_purchase_tax_ids = fields.Many2many(
        "account.tax",
        "res_company_eldercare_purchase_tax_rel",
        string="Eldercare Purchase Taxes",
        domain="[('type_tax_use', '=', 'purchase')]",
        help="Taxes put on provider bill lines. Empty: no tax.",
    )
    eldercare_invoice_detail = fields.Selection(
        [
            ("summary", "One line per statement"),
            ("service", "One line per service"),
        ],
        string="Elder Invoice Lines",
        default="summary",
        required=True,
        help="One line referring to the itemised monthly statement (fastest), or "
        "one line per service item.",
    )
    eldercare_billing_chunk_size = fields.Integer(
        string="Month-end Chunk Size",
        default=500,
        help="Elders processed (and committed) together by the month-end run.",
    )

    def _eldercare_sale_journal(self):
        self.ensure_one()
        return self.eldercare_sale_journal_id or self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(self),
                ("type", "=", "sale"),
            ],
            limit=1,
        )

    def _eldercare_purchase_journal(self):
        self.ensure_one()
        return self.eldercare_purchase_journal_id or self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(self),
                ("type", "=", "purchase"),
            ],
            limit=1,
        )
