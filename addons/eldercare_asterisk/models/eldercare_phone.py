from odoo import models


class EldercarePhone(models.Model):
    _inherit = "eldercare.phone"

    def action_eldercare_call(self):
        self.ensure_one()
        return self.env["eldercare.pbx"].click_to_call(
            self.number, elder=self.partner_id
        )
