from odoo import api, fields, models
from odoo.fields import Command


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
        Statement = self.env["eldercare.statement"]
        for preview in self:
            period = preview.date.strftime("%Y-%m")
            totals = Statement._running_total(preview.partner_id, preview.date)
            lines, problems = Statement._live_lines(
                preview.partner_id.sudo(), period, self.env.company
            )
            preview.period = period
            preview.line_ids = [Command.clear()] + [
                Command.create(
                    {
                        key: line[key]
                        for key in (
                            "work_order_id",
                            "date",
                            "product_id",
                            "provider_id",
                            "quantity",
                            "price_unit",
                            "amount",
                            "amount_elder",
                            "amount_subsidy",
                        )
                    }
                )
                for line in lines
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
