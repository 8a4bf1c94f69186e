from odoo import api, fields, models
from odoo.exceptions import UserError


class EldercareAlertDispatchWizard(models.TransientModel):
    _name = "eldercare.alert.dispatch.wizard"
    _description = "Dispatch an Alert"

    alert_id = fields.Many2one("eldercare.alert", required=True, ondelete="cascade")
    elder_id = fields.Many2one(related="alert_id.elder_id")
    community_id = fields.Many2one(related="alert_id.community_id")
    responder_type = fields.Selection(
        [("worker", "Community Worker"), ("provider", "Provider Staff")],
        required=True,
        default="worker",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Community Worker",
        domain=[("share", "=", False)],
        compute="_compute_user_id",
        store=True,
        readonly=False,
    )
    provider_id = fields.Many2one(
        "res.partner",
        domain=[("is_eldercare_provider", "=", True)],
    )
    staff_id = fields.Many2one(
        "eldercare.provider.staff",
        domain="[('provider_id', '=?', provider_id), ('available', '=', True)]",
    )
    note = fields.Text(string="Instructions")

    @api.depends("alert_id", "responder_type")
    def _compute_user_id(self):
        for wizard in self:
            if wizard.responder_type == "worker" and not wizard.user_id:
                wizard.user_id = wizard.alert_id.elder_id.sudo().worker_id
            elif wizard.responder_type != "worker":
                wizard.user_id = False

    @api.onchange("staff_id")
    def _onchange_staff_id(self):
        if self.staff_id and not self.provider_id:
            self.provider_id = self.staff_id.provider_id

    def action_dispatch(self):
        self.ensure_one()
        if self.responder_type == "worker":
            if not self.user_id:
                raise UserError(self.env._("Choose the community worker to send."))
            self.alert_id._dispatch(user=self.user_id, note=self.note or "")
        else:
            if not (self.staff_id or self.provider_id):
                raise UserError(self.env._("Choose the provider's staff to send."))
            self.alert_id._dispatch(
                provider=self.provider_id or self.staff_id.provider_id,
                staff=self.staff_id,
                note=self.note or "",
            )
        return {"type": "ir.actions.act_window_close"}
