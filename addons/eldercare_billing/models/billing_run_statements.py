from collections import defaultdict

from odoo import models
from odoo.fields import Command

from .statement_pricing import PRICED_ORDER_FIELDS


class EldercareBillingRun(models.Model):
    """A chunk of elders: their statements (new or rebuilt) and elder invoices."""

    _inherit = "eldercare.billing.run"  # pylint: disable=consider-merging-classes-inherited

    def _process_elders(self, elder_ids):
        Statement = self.env["eldercare.statement"]
        currency = self.company_id.currency_id
        elders = (
            self.env["res.partner"].with_context(active_test=False).browse(elder_ids)
        )
        elders.fetch(["name", "elder_category_id", "community_id"])
        existing = Statement.search_fetch(
            [
                ("partner_id", "in", elder_ids),
                ("period", "=", self.period),
                ("company_id", "=", self.company_id.id),
            ],
            ["partner_id", "state", "invoice_id"],
        )
        statement_by_elder = {st.partner_id.id: st for st in existing}
        to_rebuild = existing.filtered(lambda s: s.state in ("draft", "confirmed"))
        to_rebuild.line_ids.unlink()
        orders = self.env["eldercare.work.order"].search_fetch(
            [("elder_id", "in", elder_ids), *self._work_order_domain()],
            ["elder_id", *PRICED_ORDER_FIELDS],
            order="billing_date, id",
        )
        orders.product_id.fetch(["name", "categ_id"])
        orders.product_id.categ_id.fetch(["parent_path"])
        orders_by_elder = defaultdict(lambda: orders.browse())
        for order in orders:
            orders_by_elder[order.elder_id.id] |= order
        price_table = Statement._contract_price_table(
            orders.provider_id, orders.product_id
        )
        rule_table = self.env["eldercare.subsidy.rule"]._prepare_rule_table(
            self.company_id, self.date_from, self.date_to
        )
        problems, warnings, new_vals = [], [], []
        # a rerun rewrites the draft statements in batches: one unlink, one
        # write per (category, community), one create for all their lines
        obsolete = Statement.browse()
        rebuilt = defaultdict(lambda: Statement.browse())
        rebuilt_lines = []
        touched = Statement.browse()
        for elder in elders:
            statement = statement_by_elder.get(elder.id)
            elder_orders = orders_by_elder.get(elder.id)
            if statement and statement.state in ("invoiced", "cancel"):
                if elder_orders:
                    warnings.append(
                        (
                            elder.id,
                            self.env._(
                                "%(count)s work order(s) done after the statement "
                                "%(statement)s was closed: they will be billed next "
                                "month.",
                                count=len(elder_orders),
                                statement=statement.name,
                            ),
                        )
                    )
                continue
            if not elder_orders:
                if statement:
                    obsolete |= statement
                continue
            lines, errors = Statement._prepare_statement_lines(
                elder,
                elder_orders,
                price_table,
                rule_table.get(elder.elder_category_id.id),
                currency,
            )
            if errors:
                problems.extend((elder.id, message) for message in errors)
                if statement:
                    obsolete |= statement
                continue
            if statement:
                key = (elder.elder_category_id.id, elder.community_id.id)
                rebuilt[key] |= statement
                touched |= statement
                rebuilt_lines.extend(
                    dict(line, statement_id=statement.id) for line in lines
                )
            else:
                new_vals.append(
                    {
                        "run_id": self.id,
                        "elder_category_id": elder.elder_category_id.id,
                        "community_id": elder.community_id.id,
                        "line_ids": [Command.create(line) for line in lines],
                        "partner_id": elder.id,
                        "period": self.period,
                        "company_id": self.company_id.id,
                    }
                )
        obsolete.unlink()
        quiet = {
            "tracking_disable": True,
            "mail_create_nolog": True,
            "mail_notrack": True,
        }
        for (category_id, community_id), group in rebuilt.items():
            group.with_context(**quiet).write(
                {
                    "run_id": self.id,
                    "elder_category_id": category_id,
                    "community_id": community_id,
                }
            )
        self.env["eldercare.statement.line"].with_context(**quiet).create(rebuilt_lines)
        statements = touched | Statement.with_context(**quiet).create(new_vals)
        if self.create_invoices:
            statements._create_elder_invoices(run=self)
        if problems:
            self._add_problems(problems)
        if warnings:
            self._add_problems(warnings, level="warning")
        return statements
