from odoo import _, models
from odoo.exceptions import UserError


class EldercareRelative(models.Model):
    _inherit = "eldercare.relative"

    def action_eldercare_call(self):
        self.ensure_one()
        number = self.env["eldercare.pbx"]._eldercare_best_number(self)
        if not number:
            raise UserError(_("%s has no telephone number on file.", self.name))
        relations = dict(self._fields["relation"]._description_selection(self.env))
        relation = relations.get(self.relation)
        alert = (
            self.env["eldercare.alert"]
            .browse(self.env.context.get("eldercare_alert_id"))
            .exists()
        )
        return self.env["eldercare.pbx"].click_to_call(
            number,
            elder=self.partner_id,
            alert=alert,
            label=f"{self.name} ({relation})" if relation else self.name,
        )
