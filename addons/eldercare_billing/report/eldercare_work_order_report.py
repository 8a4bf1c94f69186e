from odoo import fields, models, tools

from odoo.addons.eldercare_base.models.eldercare_work_order import STATES


class EldercareWorkOrderReport(models.Model):
    """Work orders by state, provider, service: on-time rate, satisfaction."""

    _name = "eldercare.work.order.report"
    _description = "Work Orders Analysis"
    _auto = False
    _order = "date desc"

    work_order_id = fields.Many2one("eldercare.work.order", readonly=True)
    date = fields.Date(readonly=True)
    state = fields.Selection(STATES, readonly=True)
    provider_id = fields.Many2one("res.partner", readonly=True)
    product_id = fields.Many2one("product.product", string="Service", readonly=True)
    community_id = fields.Many2one("eldercare.area", readonly=True)
    elder_id = fields.Many2one("res.partner", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    completed_count = fields.Integer(
        string="Completed", readonly=True, aggregator="sum"
    )
    on_time_count = fields.Integer(string="On Time", readonly=True, aggregator="sum")
    on_time_rate = fields.Float(
        string="On-time Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Completed orders finished before their deadline (orders without "
        "deadline count as on time).",
    )
    satisfaction = fields.Float(
        string="Satisfaction (1-5)", readonly=True, aggregator="avg"
    )
    rated_count = fields.Integer(string="Rated", readonly=True, aggregator="sum")
    amount_total = fields.Float(string="Amount", readonly=True, aggregator="sum")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                SELECT w.id AS id,
                       w.id AS work_order_id,
                       (w.date_scheduled)::date AS date,
                       w.state,
                       w.provider_id,
                       w.product_id,
                       w.community_id,
                       w.elder_id,
                       w.company_id,
                       w.amount_total,
                       CASE WHEN w.state IN ('done', 'verified') THEN 1 ELSE 0 END
                           AS completed_count,
                       CASE WHEN w.state IN ('done', 'verified')
                             AND (w.date_deadline IS NULL
                                  OR w.date_end <= w.date_deadline)
                            THEN 1 ELSE 0 END AS on_time_count,
                       CASE WHEN w.state NOT IN ('done', 'verified') THEN NULL
                            WHEN w.date_deadline IS NULL
                                 OR w.date_end <= w.date_deadline THEN 100.0
                            ELSE 0.0 END AS on_time_rate,
                       CASE WHEN w.satisfaction IS NOT NULL
                            THEN w.satisfaction::numeric END AS satisfaction,
                       CASE WHEN w.satisfaction IS NOT NULL THEN 1 ELSE 0 END
                           AS rated_count
                  FROM eldercare_work_order w
            )
            """
        )
