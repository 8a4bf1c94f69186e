from odoo import api, fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    eldercare_on_duty = fields.Boolean(
        string="On Duty (Alerts)",
        help="Operators on duty receive the emergency alert popup on their screen.",
    )
    eldercare_on_call = fields.Boolean(
        string="On Call (Alerts)",
        help="When no operator is on duty, every alert pops up for the "
        "supervisors and for the users on call.",
    )

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return super().SELF_WRITEABLE_FIELDS + ["eldercare_on_duty"]

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + ["eldercare_on_duty"]

    @api.model
    def eldercare_set_on_duty(self, on_duty):
        """Switch the current user's duty flag (dashboard toggle)."""
        self.env.user.sudo().eldercare_on_duty = bool(on_duty)
        return self.env.user.eldercare_on_duty

    @api.model
    def _eldercare_on_duty_operators(self):
        """Active internal users on duty who hold the operator role."""
        group = self.env.ref(
            "eldercare_base.group_eldercare_operator", raise_if_not_found=False
        )
        domain = [("eldercare_on_duty", "=", True), ("share", "=", False)]
        if group:
            domain.append(("groups_id", "in", group.ids))
        return self.sudo().search(domain)

    @api.model
    def eldercare_duty_status(self):
        """For the supervisors' systray: is anybody taking the alarms?"""
        return {"no_operator_on_duty": self._eldercare_no_operator_on_duty()}

    @api.model
    def _eldercare_no_operator_on_duty(self):
        """Hook: the telephony addon adds "the emergency queue has no
        logged-in member"."""
        return not self._eldercare_on_duty_operators()

    @api.model
    def _eldercare_alert_recipients(self):
        """Who sees a new alert's popup: the on-duty operators; with nobody on
        duty, every supervisor and every user on call at once (an alarm is
        never shown to nobody)."""
        operators = self._eldercare_on_duty_operators()
        if operators:
            return operators
        return self._eldercare_fallback_recipients()

    @api.model
    def _eldercare_fallback_recipients(self):
        group = self.env.ref(
            "eldercare_base.group_eldercare_supervisor", raise_if_not_found=False
        )
        domain = [("eldercare_on_call", "=", True)]
        if group:
            domain = ["|", ("groups_id", "in", group.ids), *domain]
        return self.sudo().search(
            [
                ("share", "=", False),
                ("id", "!=", self.env.ref("base.user_root").id),
                *domain,
            ]
        )

    @api.model
    def _eldercare_operator_users(self):
        """All active users holding the operator role (for dashboard updates)."""
        group = self.env.ref(
            "eldercare_base.group_eldercare_operator", raise_if_not_found=False
        )
        if not group:
            return self.browse()
        return self.sudo().search(
            [("groups_id", "in", group.ids), ("share", "=", False)]
        )
