from odoo import _, models
from odoo.exceptions import UserError


class EldercareRelative(models.Model):
    _inherit = "eldercare.relative"

    def action_eldercare_call(self):
        self.ensure_one()
        if not self.phone:
            raise UserError(_("%s has no telephone number on file.", self.name))
        return self.env["eldercare.pbx"].click_to_call(
            self.phone,
            elder=self.partner_id,
            label=f"{self.name} ({self.relation})" if self.relation else self.name,
        )
