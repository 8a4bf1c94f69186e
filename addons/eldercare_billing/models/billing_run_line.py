from odoo import fields, models


class EldercareBillingRunLine(models.Model):
    _name = "eldercare.billing.run.line"
    _description = "Month-end Run Problem"
    _order = "level, id"

    run_id = fields.Many2one(
        "eldercare.billing.run", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="run_id.company_id", store=True)
    partner_id = fields.Many2one("res.partner", index=True)
    level = fields.Selection(
        [("error", "Error (skipped)"), ("warning", "Warning")],
        required=True,
        default="error",
    )
    message = fields.Text(required=True)
