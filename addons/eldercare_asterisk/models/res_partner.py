from odoo import _, fields, models
from odoo.exceptions import UserError


class ResPartner(models.Model):
    _inherit = "res.partner"

    eldercare_call_ids = fields.One2many("eldercare.call", "elder_id", "Call Log")
    eldercare_call_count = fields.Integer(
        "Calls", compute="_compute_eldercare_call_count"
    )

    def _compute_eldercare_call_count(self):
        counts = dict(
            self.env["eldercare.call"]._read_group(
                [("elder_id", "in", self.ids)], ["elder_id"], ["__count"]
            )
        )
        for partner in self:
            partner.eldercare_call_count = counts.get(partner, 0)

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
