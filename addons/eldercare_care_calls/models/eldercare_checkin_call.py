"""An inbound call from an elder inside their check-in window is their
check-in: hooked where the call log gets its elder (created by the routing
lookup or the AMI events, or identified later)."""

from odoo import api, models


class EldercareCall(models.Model):
    _inherit = "eldercare.call"

    @api.model_create_multi
    def create(self, vals_list):
        calls = super().create(vals_list)
        calls._eldercare_checkin_inbound()
        return calls

    def write(self, vals):
        res = super().write(vals)
        if vals.get("elder_id") or vals.get("direction") == "inbound":
            self._eldercare_checkin_inbound()
        return res

    def _eldercare_checkin_inbound(self):
        inbound = self.filtered(lambda c: c.direction == "inbound" and c.elder_id)
        if inbound:
            self.env["eldercare.checkin.attempt"]._eldercare_inbound_calls(inbound)
