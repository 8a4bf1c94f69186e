from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    eldercare_area_ids = fields.Many2many(
        "eldercare.area",
        "eldercare_area_res_users_rel",
        "user_id",
        "area_id",
        string="Eldercare Areas",
        help="Communities (or whole streets / districts) this community worker "
        "looks after: the worker sees the elders living there.",
    )
    eldercare_staff_ids = fields.One2many(
        "eldercare.provider.staff", "user_id", string="Provider Staff Records"
    )
