from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    eldercare_billable = fields.Boolean(
        string="Billed to Elders",
        default=True,
        help="Untick for services the center never bills (e.g. an emergency "
        "follow-up visit): their work orders stay off the statements.",
    )
