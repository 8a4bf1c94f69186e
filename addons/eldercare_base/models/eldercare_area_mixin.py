from odoo import fields, models


class EldercareAreaMixin(models.AbstractModel):
    """A record placed in a community, with the community's street, district
    and city stored beside it so that any area roll-up is a group-by.

    The inheriting model defines ``community_id`` as it needs it (a field of
    its own, or related to the elder's); the definition here only names the
    comodel so that the related fields can be set up on the mixin itself.
    """

    _name = "eldercare.area.mixin"
    _description = "Eldercare Area Roll-up"

    community_id = fields.Many2one("eldercare.area")
    area_street_id = fields.Many2one(
        related="community_id.area_street_id", store=True, index=True
    )
    area_district_id = fields.Many2one(
        related="community_id.area_district_id", store=True, index=True
    )
    area_city_id = fields.Many2one(
        related="community_id.area_city_id", store=True, index=True
    )
