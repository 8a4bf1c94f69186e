import pytz

from odoo import api, fields, models


class EldercareWorkOrder(models.Model):
    _inherit = "eldercare.work.order"

    billing_date = fields.Date(
        compute="_compute_billing_date",
        store=True,
        index=True,
        help="Day the service counts for billing: end date, else scheduled date.",
    )
    price_override_reason = fields.Char(
        tracking=True,
        help="Fill in to bill the unit price of this work order instead of the "
        "provider's contracted price.",
    )
    price_unit_contract = fields.Float(
        string="Contracted Price",
        compute="_compute_price_unit_contract",
        digits="Product Price",
    )
    statement_line_ids = fields.One2many(
        "eldercare.statement.line", "work_order_id", readonly=True
    )
    statement_id = fields.Many2one(
        "eldercare.statement",
        compute="_compute_statement_id",
    )

    @api.depends("date_end", "date_scheduled")
    def _compute_billing_date(self):
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        for order in self:
            moment = order.date_end or order.date_scheduled
            if not moment:
                order.billing_date = False
            elif isinstance(moment, fields.datetime):
                order.billing_date = pytz.utc.localize(moment).astimezone(tz).date()
            else:
                order.billing_date = moment

    def _compute_price_unit_contract(self):
        prices = self.env["eldercare.statement"]._contract_price_table(
            self.provider_id, self.product_id
        )
        for order in self:
            price = self.env["eldercare.statement"]._lookup_contract_price(
                prices,
                order.provider_id.id,
                order.product_id.id,
                order.billing_date or fields.Date.context_today(order),
            )
            order.price_unit_contract = price or 0.0

    @api.depends("statement_line_ids")
    def _compute_statement_id(self):
        for order in self:
            order.statement_id = order.statement_line_ids[:1].statement_id

    def _eldercare_billing_price(self, contract_price):
        """(billed unit price, provider unit price) for this work order.

        The contracted price wins unless an override reason is given; without a
        contract the order's own price is used.  (None, None) means no price at
        all.  A contracted price of 0 is a legitimate free service.
        """
        self.ensure_one()
        if self.price_override_reason and self.price_unit:
            billed = self.price_unit
        elif contract_price is not None:
            billed = contract_price
        elif self.price_unit:
            billed = self.price_unit
        else:
            return None, None
        return billed, billed if contract_price is None else contract_price
