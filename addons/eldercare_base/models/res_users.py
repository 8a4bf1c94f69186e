from odoo import api, fields, models


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

    @api.model
    def _eldercare_supervisors(self):
        """The center's supervisors (sudo): the active internal users of the
        supervisor role, in the users' order."""
        group = self.env.ref(
            "eldercare_base.group_eldercare_supervisor", raise_if_not_found=False
        )
        if not group:
            return self.browse()
        return group.sudo().users.filtered(lambda u: u.active and not u.share)
