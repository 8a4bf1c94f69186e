from odoo import fields, models


class EldercareStatement(models.Model):
    _name = "eldercare.statement"
    _inherit = ["eldercare.statement", "eldercare.area.mixin"]


class EldercareStatementLine(models.Model):
    """Statement lines carry the subsidies (payer, share): by area too."""

    _name = "eldercare.statement.line"
    _inherit = ["eldercare.statement.line", "eldercare.area.mixin"]

    product_categ_id = fields.Many2one(
        related="product_id.categ_id", string="Service Category", store=True
    )
