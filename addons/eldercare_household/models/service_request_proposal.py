from odoo import api, fields, models


class EldercareServiceRequestProposal(models.Model):
    _name = "eldercare.service.request.proposal"
    _description = "Household Service Provider Proposal"
    _order = "request_id, sequence, id"

    request_id = fields.Many2one(
        "eldercare.service.request", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(string="Rank", default=10)
    provider_id = fields.Many2one("res.partner", required=True)
    provider_name = fields.Char()
    contract_line_id = fields.Many2one(
        "eldercare.provider.contract.line", required=True
    )
    contract_id = fields.Many2one(
        related="contract_line_id.contract_id", string="Contract"
    )
    currency_id = fields.Many2one(related="request_id.currency_id")
    price_unit = fields.Monetary(
        string="Committed Price",
        help="Unit price committed in the provider's contract when the proposal "
        "was made.",
    )
    price_missing = fields.Boolean(compute="_compute_price_missing")
    available_staff_ids = fields.Many2many("eldercare.provider.staff")
    staff_id = fields.Many2one(
        "eldercare.provider.staff",
        string="Send",
        domain="[('id', 'in', available_staff_ids)]",
    )
    request_state = fields.Selection(related="request_id.state")
    declined = fields.Boolean(
        readonly=True, help="This provider already declined the request."
    )

    @api.depends("contract_line_id")
    def _compute_price_missing(self):
        # free (a contracted price of 0) is a price; missing is no price record
        for prop in self:
            prop.price_missing = not prop.contract_line_id

    def action_confirm(self):
        self.ensure_one()
        work_order = self.request_id._dispatch(self)
        return {
            "type": "ir.actions.act_window",
            "res_model": "eldercare.work.order",
            "res_id": work_order.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
