import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

TELEPHONY_FIELDS = {"eldercare_extension", "eldercare_endpoint"}


class ResUsers(models.Model):
    _inherit = "res.users"

    eldercare_extension = fields.Char(
        "Phone Extension",
        copy=False,
        help="Extension of the operator's desk phone / softphone, e.g. 1001.",
    )
    eldercare_endpoint = fields.Char(
        "Phone Endpoint",
        compute="_compute_eldercare_endpoint",
        store=True,
        readonly=False,
        copy=False,
        help="Asterisk channel that rings this operator, e.g. PJSIP/1001. "
        "Filled from the extension; change it for another technology.",
    )

    _sql_constraints = [
        (
            "eldercare_extension_uniq",
            "unique(eldercare_extension)",
            "This phone extension already belongs to another user.",
        ),
    ]

    @api.depends("eldercare_extension")
    def _compute_eldercare_endpoint(self):
        for user in self:
            if user.eldercare_extension:
                user.eldercare_endpoint = f"PJSIP/{user.eldercare_extension}"
            else:
                user.eldercare_endpoint = False

    @api.constrains("eldercare_extension", "eldercare_endpoint")
    def _check_eldercare_extension(self):
        for user in self:
            if user.eldercare_extension and not re.fullmatch(
                r"[0-9]{2,8}", user.eldercare_extension
            ):
                raise ValidationError(
                    _("A phone extension is 2 to 8 digits, e.g. 1001.")
                )
            if user.eldercare_endpoint and not re.fullmatch(
                r"[A-Za-z0-9]+/[A-Za-z0-9_.@-]+", user.eldercare_endpoint
            ):
                raise ValidationError(
                    _("A phone endpoint looks like PJSIP/1001 (technology/resource).")
                )

    @api.model
    def _eldercare_no_operator_on_duty(self):
        """Also nobody on duty when a bridge reports an emergency queue
        without a logged-in, unpaused member."""
        if super()._eldercare_no_operator_on_duty():
            return True
        bridges = self.env["eldercare.bridge.status"]._eldercare_dashboard_status()
        return any(
            b["emergency_queue_members"] == 0 and not b["stale"] for b in bridges
        )

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        if any(TELEPHONY_FIELDS & set(vals) for vals in vals_list):
            self.env.registry.clear_cache()
        return users

    def write(self, vals):
        res = super().write(vals)
        if TELEPHONY_FIELDS & set(vals):
            self.env.registry.clear_cache()
        return res
