from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    eldercare_sale_journal_id = fields.Many2one(
        related="company_id.eldercare_sale_journal_id", readonly=False
    )
    eldercare_purchase_journal_id = fields.Many2one(
        related="company_id.eldercare_purchase_journal_id", readonly=False
    )
    eldercare_sale_tax_ids = fields.Many2many(
        related="company_id.eldercare_sale_tax_ids", readonly=False
    )
    eldercare_purchase_tax_ids = fields.Many2many(
        related="company_id.eldercare_purchase_tax_ids", readonly=False
    )
    eldercare_invoice_detail = fields.Selection(
        related="company_id.eldercare_invoice_detail", readonly=False
    )
    eldercare_billing_chunk_size = fields.Integer(
        related="company_id.eldercare_billing_chunk_size", readonly=False
    )
