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
    eldercare_billable = fields.Boolean(
        string="Billed to the Elder",
        compute="_compute_eldercare_billable",
        store=True,
        index=True,
        help="Orders done in house (no provider, e.g. an emergency follow-up "
        "visit by the community worker) and services marked not billable never "
        "appear on a statement.",
    )
    billing_price_state = fields.Selection(
        [
            ("not_billable", "Not Billed"),
            ("priced", "Priced"),
            ("free", "Free"),
            ("missing", "No Price"),
        ],
        string="Billing Price",
        compute="_compute_billing_price_state",
        help="Free: a contracted price (or an overridden price) of 0. No price: "
        "no contracted price and no price on the order; the month end refuses it.",
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

    @api.depends("provider_id", "product_id.eldercare_billable")
    def _compute_eldercare_billable(self):
        for order in self:
            order.eldercare_billable = bool(
                order.provider_id and order.product_id.eldercare_billable
            )

    def _compute_billing_price_state(self):
        Statement = self.env["eldercare.statement"]
        prices = Statement._contract_price_table(self.provider_id, self.product_id)
        for order in self:
            if not order.eldercare_billable:
                order.billing_price_state = "not_billable"
                continue
            contract_price = Statement._lookup_contract_price(
                prices,
                order.provider_id.id,
                order.product_id.id,
                order.billing_date or fields.Date.context_today(order),
            )
            billed = order._eldercare_billing_price(contract_price)[0]
            if billed is None or billed < 0:
                order.billing_price_state = "missing"
            elif order.currency_id.is_zero(billed):
                order.billing_price_state = "free"
            else:
                order.billing_price_state = "priced"

    @api.depends("statement_line_ids")
    def _compute_statement_id(self):
        for order in self:
            order.statement_id = order.statement_line_ids[:1].statement_id

    def _eldercare_billing_price(self, contract_price):
        """(billed unit price, provider unit price) for this work order.

        The contracted price wins unless an override reason is given (then the
        order's price is billed, 0 included: waived with a reason); without a
        contract the order's own price is used.  (None, None) means no price at
        all.  A contracted price of 0 is a legitimate free service: "free" is a
        price record at 0, "no price" is no record.
        """
        self.ensure_one()
        if self.price_override_reason:
            billed = self.price_unit
        elif contract_price is not None:
            billed = contract_price
        elif self.price_unit:
            billed = self.price_unit
        else:
            return None, None
        return billed, billed if contract_price is None else contract_price
