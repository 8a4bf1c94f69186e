from odoo import fields, models


class EldercareStatement(models.Model):
    _inherit = "eldercare.statement"

    # stored so that the area roll-up is a group-by
    area_street_id = fields.Many2one(
        related="community_id.area_street_id", store=True, index=True
    )
    area_district_id = fields.Many2one(
        related="community_id.area_district_id", store=True, index=True
    )
    area_city_id = fields.Many2one(
        related="community_id.area_city_id", store=True, index=True
    )


class EldercareStatementLine(models.Model):
    """Statement lines carry the subsidies (payer, share): by area too."""

    _inherit = "eldercare.statement.line"

    area_street_id = fields.Many2one(
        related="community_id.area_street_id", store=True, index=True
    )
    area_district_id = fields.Many2one(
        related="community_id.area_district_id", store=True, index=True
    )
    area_city_id = fields.Many2one(
        related="community_id.area_city_id", store=True, index=True
    )
    product_categ_id = fields.Many2one(
        related="product_id.categ_id", string="Service Category", store=True
    )
