from odoo import _, models
from odoo.exceptions import UserError


class EldercareRelative(models.Model):
    _inherit = "eldercare.relative"

    def action_eldercare_call(self):
        self.ensure_one()
        if not self.phone:
            raise UserError(_("%s has no telephone number on file.", self.name))
        relations = dict(self._fields["relation"]._description_selection(self.env))
        relation = relations.get(self.relation)
        alert = (
            self.env["eldercare.alert"]
            .browse(self.env.context.get("eldercare_alert_id"))
            .exists()
        )
        return self.env["eldercare.pbx"].click_to_call(
            self.phone,
            elder=self.partner_id,
            alert=alert,
            label=f"{self.name} ({relation})" if relation else self.name,
        )
