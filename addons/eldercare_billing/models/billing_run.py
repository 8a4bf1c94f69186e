import logging
import time
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models, modules
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tools import split_every

from .statement import period_bounds

_logger = logging.getLogger(__name__)

WORK_ORDER_FIELDS = [
    "name",
    "elder_id",
    "product_id",
    "provider_id",
    "quantity",
    "price_unit",
    "price_override_reason",
    "billing_date",
]


class EldercareBillingRun(models.Model):
    """One month-end run per company and month.

    Running it again is safe: statements already invoiced are skipped, draft or
    confirmed ones are rebuilt, and a work order can only ever be on one statement
    line.  A run that crashed resumes where its last committed chunk ended.
    """

    _name = "eldercare.billing.run"
    _inherit = ["mail.thread"]
    _description = "Month-end Billing Run"
    _order = "period desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    period = fields.Char(
        required=True,
        index=True,
        default=lambda self: self._default_period(),
        help="Month billed, as YYYY-MM.",
    )
    date_from = fields.Date(compute="_compute_dates", store=True)
    date_to = fields.Date(compute="_compute_dates", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    create_invoices = fields.Boolean(
        default=True,
        help="Post the elder invoices, the subsidy invoices and the provider bills. "
        "Untick to only prepare draft statements for review.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("running", "Running"),
            ("done", "Done"),
            ("done_errors", "Done with Errors"),
        ],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
    )
    line_ids = fields.One2many(
        "eldercare.billing.run.line", "run_id", string="Problems", copy=False
    )
    statement_ids = fields.One2many("eldercare.statement", "run_id", copy=False)
    move_ids = fields.One2many("account.move", "eldercare_run_id", copy=False)
    elder_count = fields.Integer(string="Elders Processed", readonly=True, copy=False)
    error_count = fields.Integer(compute="_compute_counts")
    statement_count = fields.Integer(compute="_compute_counts")
    invoice_count = fields.Integer(compute="_compute_counts")
    amount_total = fields.Monetary(compute="_compute_counts")
    amount_elder = fields.Monetary(compute="_compute_counts")
    amount_subsidy = fields.Monetary(compute="_compute_counts")
    date_start = fields.Datetime(readonly=True, copy=False)
    date_done = fields.Datetime(readonly=True, copy=False)
    duration = fields.Float(string="Duration (s)", readonly=True, copy=False)
    summary = fields.Text(readonly=True, copy=False)

    _sql_constraints = [
        (
            "period_company_uniq",
            "UNIQUE(period, company_id)",
            "There is already a month-end run for this month: open it and run it "
            "again instead.",
        ),
    ]

    @api.model
    def _default_period(self):
        today = fields.Date.context_today(self)
        return (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")

    @api.depends("period")
    def _compute_name(self):
        for run in self:
            run.name = self.env._("Month end %(period)s", period=run.period or "")

    @api.depends("period")
    def _compute_dates(self):
        for run in self:
            try:
                run.date_from, run.date_to = period_bounds(run.period)
            except (AttributeError, ValueError):
                run.date_from = run.date_to = False

    @api.constrains("period")
    def _check_period(self):
        for run in self:
            try:
                period_bounds(run.period)
            except (AttributeError, ValueError) as err:
                raise ValidationError(
                    self.env._("The period must be written YYYY-MM, e.g. 2026-11.")
                ) from err

    def _compute_counts(self):
        Statement = self.env["eldercare.statement"]
        for run in self:
            domain = [
                ("period", "=", run.period),
                ("company_id", "=", run.company_id.id),
            ]
            [(count, total, elder, subsidy)] = Statement._read_group(
                domain,
                [],
                [
                    "__count",
                    "amount_total:sum",
                    "amount_elder:sum",
                    "amount_subsidy:sum",
                ],
            )
            run.statement_count = count
            run.amount_total = total
            run.amount_elder = elder
            run.amount_subsidy = subsidy
            run.invoice_count = len(run.move_ids)
            run.error_count = len(run.line_ids.filtered(lambda ln: ln.level == "error"))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    @api.model
    def _get_or_create(self, period, company=None, create_invoices=True):
        company = company or self.env.company
        run = self.search(
            [("period", "=", period), ("company_id", "=", company.id)], limit=1
        )
        if run:
            run.create_invoices = create_invoices
            return run
        return self.create(
            {
                "period": period,
                "company_id": company.id,
                "create_invoices": create_invoices,
            }
        )

    def action_run(self):
        for run in self:
            run._run()
        return True

    def action_view_statements(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "eldercare_billing.eldercare_statement_action"
        )
        action["domain"] = [
            ("period", "=", self.period),
            ("company_id", "=", self.company_id.id),
        ]
        action["context"] = {}
        return action

    def action_view_moves(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_journal_line"
        )
        action.update(
            domain=[("eldercare_run_id", "=", self.id)],
            context={"create": False},
            views=[(False, "list"), (False, "form")],
        )
        return action

    @api.model
    def _cron_month_end(self):
        """Bill last month for every company that has something to bill."""
        period = self._default_period()
        date_to = period_bounds(period)[1]
        orders = self.env["eldercare.work.order"].sudo()
        for company in self.env["res.company"].sudo().search([]):
            has_work = orders.search_count(
                [
                    ("company_id", "in", (company.id, False)),
                    ("statement_line_ids", "=", False),
                    *self.env["eldercare.statement"]._billable_order_domain(date_to),
                ],
                limit=1,
            )
            if not has_work:
                continue
            run = self.sudo().with_company(company)._get_or_create(period, company)
            run.with_company(company)._run()

    @api.model
    def _demo_prepare_previous_month(self):
        """Demo data: last month's draft statements (no invoices yet)."""
        run = self._get_or_create(self._default_period(), create_invoices=False)
        # never commit in the middle of a module installation
        run.with_context(eldercare_billing_no_commit=True)._run()
        return run

    # ------------------------------------------------------------------
    # The run
    # ------------------------------------------------------------------
    def _commit_progress(self, done, remaining):
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        if not (
            self.env.registry.in_test_mode()
            or modules.module.current_test
            or self.env.context.get("eldercare_billing_no_commit")
        ):
            self.env.cr.commit()  # pylint: disable=invalid-commit

    def _run(self):
        self.ensure_one()
        self = self.with_company(self.company_id)
        started = time.monotonic()
        if self.create_invoices and not self.company_id._eldercare_sale_journal():
            raise UserError(
                self.env._(
                    "Company %(company)s has no sales journal: install a chart of "
                    "accounts before invoicing.",
                    company=self.company_id.name,
                )
            )
        self.line_ids.unlink()
        self.write(
            {"state": "running", "date_start": fields.Datetime.now(), "elder_count": 0}
        )
        elder_ids = self._get_elder_ids()
        total = len(elder_ids)
        self._commit_progress(0, total)
        chunk_size = max(1, self.company_id.eldercare_billing_chunk_size or 500)
        done = 0
        for chunk in split_every(chunk_size, elder_ids):
            self._process_chunk(list(chunk))
            done += len(chunk)
            self.elder_count = done
            self._commit_progress(done, total - done)
            _logger.info("Month end %s: %s/%s elders", self.period, done, total)
        chunks_done = time.monotonic()
        if self.create_invoices:
            self._create_subsidy_invoices()
            self._commit_progress(done, 0)
            subsidies_done = time.monotonic()
            self._create_vendor_bills()
            _logger.info(
                "Month end %s: elders %.1f s, subsidy invoices %.1f s, bills %.1f s",
                self.period,
                chunks_done - started,
                subsidies_done - chunks_done,
                time.monotonic() - subsidies_done,
            )
        errors = self.line_ids.filtered(lambda ln: ln.level == "error")
        self.write(
            {
                "state": "done_errors" if errors else "done",
                "date_done": fields.Datetime.now(),
                "duration": time.monotonic() - started,
            }
        )
        self.summary = self._build_summary()
        self._commit_progress(done, 0)
        return True

    def _work_order_domain(self):
        return [
            ("company_id", "in", (self.company_id.id, False)),
            ("elder_id", "!=", False),
            ("statement_line_ids", "=", False),
            *self.env["eldercare.statement"]._billable_order_domain(self.date_to),
        ]

    def _get_elder_ids(self):
        """Elders with unbilled work orders up to the end of the month, plus the
        elders whose statement of the month is not invoiced yet."""
        orders = self.env["eldercare.work.order"]
        elder_ids = {
            elder.id
            for [elder] in orders._read_group(self._work_order_domain(), ["elder_id"])
        }
        statements = self.env["eldercare.statement"].search_fetch(
            [
                ("period", "=", self.period),
                ("company_id", "=", self.company_id.id),
                ("state", "in", ("draft", "confirmed")),
            ],
            ["partner_id"],
        )
        elder_ids.update(statements.partner_id.ids)
        return sorted(elder_ids)

    def _process_chunk(self, elder_ids):
        """Process a chunk; if anything unexpected breaks, isolate the elder."""
        try:
            with self.env.cr.savepoint():
                self._process_elders(elder_ids)
        except Exception as err:
            if len(elder_ids) == 1:
                _logger.warning(
                    "Month end %s: elder %s skipped: %s", self.period, elder_ids[0], err
                )
                self._add_problems(
                    [
                        (
                            elder_ids[0],
                            self.env._("Unexpected error: %(error)s", error=err),
                        )
                    ]
                )
                return
            for elder_id in elder_ids:
                self._process_chunk([elder_id])

    def _add_problems(self, problems, level="error"):
        self.env["eldercare.billing.run.line"].create(
            [
                {
                    "run_id": self.id,
                    "partner_id": partner_id,
                    "level": level,
                    "message": message,
                }
                for partner_id, message in problems
            ]
        )

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
            WORK_ORDER_FIELDS,
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

    def _closed_line_domain(self):
        return [
            ("period", "=", self.period),
            ("company_id", "=", self.company_id.id),
            ("statement_id.state", "=", "invoiced"),
        ]

    def _create_subsidy_invoices(self):
        """One invoice per subsidy payer, one line per elder (idempotent)."""
        Line = self.env["eldercare.statement.line"]
        domain = [
            *self._closed_line_domain(),
            ("subsidy_move_id", "=", False),
            ("amount_subsidy", ">", 0),
        ]
        groups = Line._read_group(
            domain,
            ["payer_id", "partner_id", "elder_category_id"],
            ["amount_subsidy:sum", "__count"],
            order="payer_id, partner_id",
        )
        per_payer = defaultdict(list)
        # a subsidy pays for elderly care services: no VAT (the exempt tax)
        exempt = self.env["product.template"]._eldercare_treatment_taxes(
            "exempt", self.company_id
        )[0]
        for payer, elder, category, amount, count in groups:
            per_payer[payer].append(
                {
                    "product_id": False,
                    "name": self.env._(
                        "%(elder)s (%(category)s), %(period)s: %(count)s "
                        "service(s) subsidised",
                        elder=elder.name,
                        category=category.name or "-",
                        period=self.period,
                        count=count,
                    ),
                    "quantity": 1.0,
                    "price_unit": self.currency_id.round(amount),
                    "tax_ids": exempt.ids,
                }
            )
        journal = self.company_id._eldercare_sale_journal()
        documents = [
            (
                payer,
                {
                    "move_type": "out_invoice",
                    "partner_id": payer.id,
                    "journal_id": journal.id,
                    "ref": self.env._(
                        "Eldercare subsidies %(period)s", period=self.period
                    ),
                    "eldercare_billing_kind": "subsidy",
                    "invoice_payment_term_id": self.company_id._eldercare_payment_term(
                        "subsidy", payer
                    ).id,
                },
                lines,
            )
            for payer, lines in per_payer.items()
        ]
        return self._create_grouped_moves(
            documents,
            domain,
            "payer_id",
            "subsidy_move_id",
            self.company_id.eldercare_sale_tax_ids,
        )

    def _create_vendor_bills(self):
        """One bill per provider for what it delivered, at its contracted price."""
        Line = self.env["eldercare.statement.line"]
        domain = [*self._closed_line_domain(), ("vendor_bill_id", "=", False)]
        groups = Line._read_group(
            domain,
            ["provider_id", "product_id", "price_unit_contract"],
            ["quantity:sum", "__count"],
            order="provider_id, product_id",
        )
        per_provider = defaultdict(list)
        for provider, product, price, qty, count in groups:
            per_provider[provider].append(
                {
                    "product_id": product.id,
                    "name": self.env._(
                        "%(service)s, %(period)s: %(count)s work order(s)",
                        service=product.name,
                        period=self.period,
                        count=count,
                    ),
                    "quantity": qty,
                    "price_unit": price,
                }
            )
        journal = self.company_id._eldercare_purchase_journal()
        documents = [
            (
                provider,
                {
                    "move_type": "in_invoice",
                    "partner_id": provider.id,
                    "journal_id": journal.id,
                    "ref": self.env._(
                        "Eldercare services %(period)s", period=self.period
                    ),
                    "eldercare_billing_kind": "provider",
                    "invoice_payment_term_id": self.company_id._eldercare_payment_term(
                        "provider", provider
                    ).id,
                },
                lines,
            )
            for provider, lines in per_provider.items()
        ]
        return self._create_grouped_moves(
            documents,
            domain,
            "provider_id",
            "vendor_bill_id",
            self.company_id.eldercare_purchase_tax_ids,
        )

    def _create_grouped_moves(self, documents, domain, group_field, link_field, taxes):
        """Post one move per (partner, header, lines) and link the statement lines.

        All together when possible; if that fails, partner by partner so that a
        bad payer or provider is reported without blocking the others.
        """
        Move = self.env["account.move"]
        if not documents:
            return Move
        Line = self.env["eldercare.statement.line"]
        line_ids = defaultdict(list)
        for line in Line.search_fetch(domain, [group_field]):
            line_ids[line[group_field].id].append(line.id)
        for _partner, header, _lines in documents:
            header.update(
                company_id=self.company_id.id,
                invoice_date=self.date_to,
                date=self.date_to,
                eldercare_period=self.period,
                eldercare_run_id=self.id,
            )

        def post(batch):
            moves = Move._eldercare_create_posted(
                [(header, lines) for _p, header, lines in batch],
                self.company_id,
                taxes,
            )
            for (partner, _header, _lines), move in zip(batch, moves, strict=True):
                Line.browse(line_ids[partner.id]).write({link_field: move.id})
            return moves

        try:
            with self.env.cr.savepoint():
                return post(documents)
        except Exception:
            _logger.warning("Month end %s: grouped %s failed", self.period, link_field)
        moves = Move
        for document in documents:
            partner = document[0]
            try:
                with self.env.cr.savepoint():
                    moves |= post([document])
            except Exception as err:
                self._add_problems(
                    [
                        (
                            partner.id,
                            self.env._(
                                "%(partner)s: invoice or bill failed: %(error)s",
                                partner=partner.name,
                                error=err,
                            ),
                        )
                    ]
                )
        return moves

    def _build_summary(self):
        self.invalidate_recordset()
        errors = self.line_ids.filtered(lambda ln: ln.level == "error")
        warnings = self.line_ids - errors
        kinds = defaultdict(int)
        for move in self.move_ids:
            kinds[move.eldercare_billing_kind] += 1
        text = [
            self.env._(
                "Month end %(period)s: %(elders)s elder(s) processed, "
                "%(statements)s statement(s), total %(total).2f "
                "(elders %(elder).2f, subsidies %(subsidy).2f).",
                period=self.period,
                elders=self.elder_count,
                statements=self.statement_count,
                total=self.amount_total,
                elder=self.amount_elder,
                subsidy=self.amount_subsidy,
            ),
            self.env._(
                "Posted: %(elder)s elder invoice(s), %(subsidy)s subsidy invoice(s), "
                "%(provider)s provider bill(s).",
                elder=kinds["elder"],
                subsidy=kinds["subsidy"],
                provider=kinds["provider"],
            ),
            self.env._(
                "%(errors)s elder(s) skipped with errors, %(warnings)s warning(s). "
                "Duration: %(duration).1f s.",
                errors=len(set(errors.partner_id.ids)),
                warnings=len(warnings),
                duration=self.duration,
            ),
        ]
        text += [f"- {ln.partner_id.name}: {ln.message}" for ln in errors[:50]]
        return "\n".join(text)


class EldercareBillingRunLine(models.Model):
    _name = "eldercare.billing.run.line"
    _description = "Month-end Run Problem"
    _order = "level, id"

    run_id = fields.Many2one(
        "eldercare.billing.run", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="run_id.company_id", store=True)
    partner_id = fields.Many2one("res.partner", index=True)
    level = fields.Selection(
        [("error", "Error (skipped)"), ("warning", "Warning")],
        required=True,
        default="error",
    )
    message = fields.Text(required=True)
