from datetime import date as dt_date

from odoo import api, fields, models

from .billing_period import period_bounds
from .statement import BILLABLE_STATES, STATEMENT_TOTALS

# what _prepare_statement_lines reads of a work order (fetch them first)
PRICED_ORDER_FIELDS = [
    "name",
    "product_id",
    "provider_id",
    "quantity",
    "price_unit",
    "price_override_reason",
    "billing_date",
]


class EldercareStatement(models.Model):
    """Pricing of work orders and the subsidy split, shared by the month-end
    run and the instant query (即时查询)."""

    _inherit = "eldercare.statement"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Pricing helpers shared by the month-end run and the instant query
    # ------------------------------------------------------------------
    @api.model
    def _contract_price_table(self, providers, products):
        """{(provider_id, product_id): [(date_start, date_end, active, price)]}."""
        table = {}
        if not providers or not products:
            return table
        contract_model = self.env["eldercare.provider.contract"].sudo()
        inverse = contract_model._fields["line_ids"].inverse_name
        lines = (
            self.env["eldercare.provider.contract.line"]
            .sudo()
            .search_fetch(
                [
                    (f"{inverse}.provider_id", "in", providers.ids),
                    ("product_id", "in", products.ids),
                    (f"{inverse}.state", "in", ("active", "expired")),
                ],
                ["product_id", "price_unit", inverse],
            )
        )
        contracts = lines[inverse]
        contracts.fetch(["provider_id", "date_start", "date_end", "state"])
        for line in lines:
            contract = line[inverse]
            table.setdefault((contract.provider_id.id, line.product_id.id), []).append(
                (
                    contract.date_start,
                    contract.date_end,
                    contract.state == "active",
                    line.price_unit,
                )
            )
        for entries in table.values():
            entries.sort(key=lambda e: (e[2], e[0] or dt_date.min), reverse=True)
        return table

    @api.model
    def _lookup_contract_price(self, table, provider_id, product_id, day):
        entries = table.get((provider_id, product_id))
        if not entries:
            return None
        for start, end, _active, price in entries:
            if (not start or start <= day) and (not end or day <= end):
                return price
        return entries[0][3]

    @api.model
    def _billable_order_domain(self, date_to, date_from=None):
        """Work orders a statement bills: verified, billable (in-house visits
        and services not billed to elders are left out), up to ``date_to``."""
        domain = [
            ("state", "in", BILLABLE_STATES),
            ("eldercare_billable", "=", True),
            ("billing_date", "<=", date_to),
        ]
        if date_from:
            domain.append(("billing_date", ">=", date_from))
        return domain

    @api.model
    def _prepare_statement_lines(self, elder, orders, price_table, rule_list, currency):
        """Price and split the work orders of one elder.

        Returns (line dicts ready for eldercare.statement.line, error messages).
        Uses only cached values: call it on prefetched records.
        """
        errors = []
        if not elder.elder_category_id:
            errors.append(
                self.env._("Elder %(elder)s has no elder category.", elder=elder.name)
            )
        lines = []
        for order in orders:
            product = order.product_id
            if not product:
                errors.append(
                    self.env._("Work order %(wo)s has no service.", wo=order.name)
                )
                continue
            contract_price = self._lookup_contract_price(
                price_table, order.provider_id.id, product.id, order.billing_date
            )
            billed, cost = order._eldercare_billing_price(contract_price)
            if billed is None or billed < 0:
                errors.append(
                    self.env._(
                        "Work order %(wo)s has no price: no contracted price for "
                        "%(service)s with provider %(provider)s and no unit price "
                        "on the order.",
                        wo=order.name,
                        service=product.display_name,
                        provider=order.provider_id.name or self.env._("(none)"),
                    )
                )
                continue
            if not order.provider_id:
                errors.append(
                    self.env._("Work order %(wo)s has no provider.", wo=order.name)
                )
                continue
            quantity = order.quantity or 0.0
            if quantity <= 0:
                errors.append(
                    self.env._("Work order %(wo)s has no quantity.", wo=order.name)
                )
                continue
            lines.append(
                {
                    "work_order_id": order.id,
                    "sequence": order.id,
                    "date": order.billing_date,
                    "product_id": product.id,
                    "categ_path": product.categ_id.parent_path,
                    "provider_id": order.provider_id.id,
                    "quantity": quantity,
                    "price_unit": billed,
                    "price_unit_contract": cost,
                    "amount": currency.round(quantity * billed),
                    "amount_cost": currency.round(quantity * cost),
                }
            )
        errors += self.env["eldercare.subsidy.rule"]._split_lines(
            currency, rule_list, lines
        )
        lines.sort(key=lambda ln: (ln["date"], ln["sequence"]))
        for line in lines:
            line.pop("categ_path", None)
            line.pop("sequence", None)
        return lines, errors

    # ------------------------------------------------------------------
    # Instant query (即时查询): operators, portal, IVR
    # ------------------------------------------------------------------
    @api.model
    def _running_total(self, partner, date=None):
        """What the elder owes for the month of ``date`` so far.

        Once the month-end statement exists its stored totals are read; before
        that the month's verified work orders are priced and split on the fly (a
        handful of queries for one elder).  Pricing problems are not hidden:
        ``problems`` lists them (the month end would refuse this elder until they
        are fixed) and ``complete`` is False; the amounts then cover only the
        orders that could be priced.
        """
        partner = (
            self.env["res.partner"].browse(partner)
            if isinstance(partner, int)
            else partner
        ).sudo()
        day = fields.Date.to_date(date) if date else fields.Date.context_today(self)
        period = day.strftime("%Y-%m")
        company = self.env.company
        currency = company.currency_id
        result = {
            "period": period,
            "amount_total": 0.0,
            "amount_elder": 0.0,
            "amount_subsidy": 0.0,
            "currency": currency.name,
            "line_count": 0,
            "complete": True,
            "problems": [],
        }
        if not partner:
            return result
        statement = self._period_statement(partner, period, company)
        if statement:
            result.update({fname: statement[fname] for fname in STATEMENT_TOTALS})
            return result
        lines, errors = self._live_lines(partner, period, company)
        result.update(self._sum_lines(lines, currency))
        result.update(complete=not errors, problems=list(errors))
        return result

    @api.model
    def _period_statement(self, partner, period, company):
        """The elder's statement of ``period`` once the month-end run made it
        (cancelled ones aside), with its totals read."""
        return self.sudo().search_fetch(
            [
                ("partner_id", "=", partner.id),
                ("period", "=", period),
                ("company_id", "=", company.id),
                ("state", "!=", "cancel"),
            ],
            STATEMENT_TOTALS,
            limit=1,
        )

    @api.model
    def _sum_lines(self, lines, currency):
        """Totals of statement line values (dicts), as the statement stores them."""
        return {
            "amount_total": currency.round(sum(ln["amount"] for ln in lines)),
            "amount_elder": currency.round(sum(ln["amount_elder"] for ln in lines)),
            "amount_subsidy": currency.round(sum(ln["amount_subsidy"] for ln in lines)),
            "line_count": len(lines),
        }

    @api.model
    def _live_lines(self, partner, period, company):
        """Statement lines the month-end run would build today (not saved)."""
        date_from, date_to = period_bounds(period)
        orders = (
            self.env["eldercare.work.order"]
            .sudo()
            .search_fetch(
                [
                    ("elder_id", "=", partner.id),
                    ("company_id", "in", (company.id, False)),
                    *self._billable_order_domain(date_to, date_from),
                ],
                PRICED_ORDER_FIELDS,
            )
        )
        price_table = self._contract_price_table(orders.provider_id, orders.product_id)
        rule_table = (
            self.env["eldercare.subsidy.rule"]
            .sudo()
            ._prepare_rule_table(company, date_from, date_to)
        )
        return self._prepare_statement_lines(
            partner,
            orders,
            price_table,
            rule_table.get(partner.elder_category_id.id),
            company.currency_id,
        )
