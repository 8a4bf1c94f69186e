from odoo import _, fields, models
from odoo.exceptions import UserError

from odoo.addons.eldercare_base.tools import count_into


class ResPartner(models.Model):
    _inherit = "res.partner"

    eldercare_call_ids = fields.One2many("eldercare.call", "elder_id", "Call Log")
    eldercare_call_count = fields.Integer(
        "Calls", compute="_compute_eldercare_call_count"
    )

    def _compute_eldercare_call_count(self):
        count_into(self, "eldercare_call_count", "eldercare.call", "elder_id")

    def _eldercare_call_number(self):
        """Best number to call this person on (``eldercare.pbx``'s one rule)."""
        self.ensure_one()
        return self.env["eldercare.pbx"]._eldercare_best_number(self)

    def action_eldercare_call(self):
        self.ensure_one()
        number = self._eldercare_call_number()
        if not number:
            raise UserError(_("%s has no telephone number on file.", self.name))
        return self.env["eldercare.pbx"].click_to_call(number, elder=self)

    def action_eldercare_view_calls(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "eldercare_asterisk.eldercare_call_action"
        )
        action["domain"] = [("elder_id", "=", self.id)]
        action["context"] = {}
        return action
