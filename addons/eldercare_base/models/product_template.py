from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    is_eldercare_service = fields.Boolean(
        string="Eldercare Service",
        help="Offered to elders through contracted providers (work orders).",
    )
