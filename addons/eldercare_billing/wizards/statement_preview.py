from odoo import api, fields, models
from odoo.fields import Command

from ..models.statement import STATEMENT_TOTALS

RELATIONS = ("work_order_id", "product_id", "provider_id")
LINE_KEYS = (
    *RELATIONS,
    "date",
    "quantity",
    "price_unit",
    "amount",
    "amount_elder",
    "amount_subsidy",
)


class EldercareStatementPreview(models.TransientModel):
    """The running statement of an elder for the current month (即时查询)."""

    _name = "eldercare.statement.preview"
    _description = "Running Statement"

    partner_id = fields.Many2one("res.partner", string="Elder", required=True)
    date = fields.Date(default=fields.Date.context_today, required=True)
    period = fields.Char(compute="_compute_lines", store=True)
    currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.company.currency_id
    )
    line_ids = fields.One2many(
        "eldercare.statement.preview.line",
        "preview_id",
        compute="_compute_lines",
        store=True,
    )
    amount_total = fields.Monetary(compute="_compute_lines", store=True)
    amount_elder = fields.Monetary(
        string="Elder Share", compute="_compute_lines", store=True
    )
    amount_subsidy = fields.Monetary(
        string="Subsidy Share", compute="_compute_lines", store=True
    )
    problems = fields.Text(compute="_compute_lines", store=True)

    @api.depends("partner_id", "date")
    def _compute_lines(self):
        """Once the month-end statement exists, what it billed (its lines and
        totals, whatever prices changed since); before, the month's work
        orders priced and split now, in one pass."""
        Statement = self.env["eldercare.statement"]
        company = self.env.company
        for preview in self:
            partner = preview.partner_id.sudo()
            period = preview.date.strftime("%Y-%m")
            statement = Statement._period_statement(partner, period, company)
            if statement:
                lines = [
                    {
                        key: line[key].id if key in RELATIONS else line[key]
                        for key in LINE_KEYS
                    }
                    for line in statement.line_ids
                ]
                totals = {key: statement[key] for key in STATEMENT_TOTALS}
                problems = []
            else:
                lines, problems = Statement._live_lines(partner, period, company)
                totals = Statement._sum_lines(lines, company.currency_id)
            preview.period = period
            preview.line_ids = [Command.clear()] + [
                Command.create({key: line[key] for key in LINE_KEYS}) for line in lines
            ]
            preview.amount_total = totals["amount_total"]
            preview.amount_elder = totals["amount_elder"]
            preview.amount_subsidy = totals["amount_subsidy"]
            preview.problems = "\n".join(problems) or False


class EldercareStatementPreviewLine(models.TransientModel):
    _name = "eldercare.statement.preview.line"
    _description = "Running Statement Line"
    _order = "date, id"

    preview_id = fields.Many2one(
        "eldercare.statement.preview", required=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="preview_id.currency_id")
    work_order_id = fields.Many2one("eldercare.work.order")
    date = fields.Date()
    product_id = fields.Many2one("product.product", string="Service")
    provider_id = fields.Many2one("res.partner")
    quantity = fields.Float(digits="Product Unit of Measure")
    price_unit = fields.Float(digits="Product Price")
    amount = fields.Monetary()
    amount_elder = fields.Monetary(string="Elder Share")
    amount_subsidy = fields.Monetary(string="Subsidy Share")
