from odoo import api, fields, models


class EldercareWorkOrder(models.Model):
    _inherit = "eldercare.work.order"

    satisfaction_score = fields.Integer(
        compute="_compute_satisfaction_score",
        store=True,
        aggregator="avg",
        help="The satisfaction as a number (1 to 5), averaged in the reports.",
    )
    survey_call_ids = fields.One2many(
        "eldercare.care.call",
        "work_order_id",
        string="Survey Calls",
        domain=[("kind", "=", "survey")],
    )

    @api.depends("satisfaction")
    def _compute_satisfaction_score(self):
        for order in self:
            order.satisfaction_score = int(order.satisfaction or 0)

    def write(self, vals):
        res = super().write(vals)
        if vals.get("satisfaction") and not self.env.context.get(
            "eldercare_survey_call"
        ):
            # recorded by hand (operator's call-back): no survey call any more
            self.env["eldercare.care.call"].sudo().search(
                [
                    ("work_order_id", "in", self.ids),
                    ("kind", "=", "survey"),
                    ("state", "=", "waiting"),
                ]
            ).action_cancel()
        return res

    def _eldercare_after_done(self):
        res = super()._eldercare_after_done()
        self.filtered(
            lambda o: o.product_id.eldercare_survey_call == "done"
        )._eldercare_schedule_survey()
        return res

    def _eldercare_mark_verified(self, via):
        res = super()._eldercare_mark_verified(via)
        if via != "survey":
            self.filtered(
                lambda o: o.product_id.eldercare_survey_call == "verified"
            )._eldercare_schedule_survey()
        return res

    def _eldercare_schedule_survey(self):
        """Schedule the satisfaction survey call of these orders (once per
        order; none when the satisfaction is already recorded)."""
        orders = self.filtered(lambda o: not o.satisfaction and o.elder_id)
        if not orders:
            return self.env["eldercare.care.call"]
        Call = self.env["eldercare.care.call"]
        start = fields.Datetime.now() + Call._survey_delay()
        return Call._eldercare_schedule(
            [
                {
                    "kind": "survey",
                    "dedup_key": f"survey:{order.id}",
                    "elder_id": order.elder_id.id,
                    "work_order_id": order.id,
                    "company_id": order.company_id.id,
                    "next_call_at": start,
                }
                for order in orders
            ]
        )
