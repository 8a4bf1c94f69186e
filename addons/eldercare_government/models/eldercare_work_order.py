from odoo import fields, models


class EldercareWorkOrder(models.Model):
    _inherit = "eldercare.work.order"

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
