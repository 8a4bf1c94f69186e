from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    eldercare_billing_kind = fields.Selection(
        [
            ("elder", "Elder Share"),
            ("subsidy", "Subsidy"),
            ("provider", "Provider Bill"),
        ],
        string="Eldercare Billing",
        copy=False,
        readonly=True,
        index="btree_not_null",
    )
    eldercare_period = fields.Char(string="Eldercare Period", copy=False, readonly=True)
    eldercare_statement_id = fields.Many2one(
        "eldercare.statement",
        string="Eldercare Statement",
        copy=False,
        readonly=True,
        index="btree_not_null",
    )
    eldercare_run_id = fields.Many2one(
        "eldercare.billing.run",
        string="Month-end Run",
        copy=False,
        readonly=True,
        index="btree_not_null",
    )
