from odoo import fields, models


class EldercareWorkOrderDecline(models.TransientModel):
    _name = "eldercare.work.order.decline"
    _description = "Decline Work Order"

    work_order_ids = fields.Many2many("eldercare.work.order", string="Work Orders")
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.work_order_ids.action_decline(reason=self.reason)
        return {"type": "ir.actions.act_window_close"}
