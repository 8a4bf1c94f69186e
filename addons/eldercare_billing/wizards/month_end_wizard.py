from odoo import fields, models


class EldercareMonthEndWizard(models.TransientModel):
    _name = "eldercare.month.end.wizard"
    _description = "Run Month End"

    period = fields.Char(
        required=True,
        default=lambda self: self.env["eldercare.billing.run"]._default_period(),
        help="Month to bill, as YYYY-MM.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    create_invoices = fields.Boolean(
        default=True,
        help="Post elder invoices, subsidy invoices and provider bills. Untick to "
        "prepare draft statements only.",
    )

    def action_run(self):
        self.ensure_one()
        run = self.env["eldercare.billing.run"]._get_or_create(
            self.period, self.company_id, self.create_invoices
        )
        run._run()
        return {
            "type": "ir.actions.act_window",
            "res_model": "eldercare.billing.run",
            "res_id": run.id,
            "view_mode": "form",
            "target": "current",
        }
