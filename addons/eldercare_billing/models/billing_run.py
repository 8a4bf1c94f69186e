"""The month-end run: one per company and month, in chunks of elders.

Beside it (``_inherit`` of the same model): ``billing_run_statements.py``
builds the statements and elder invoices of a chunk, ``billing_run_moves.py``
the subsidy invoices and provider bills; the problems it lists are
``billing_run_line.py``.
"""

import logging
import time
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models, modules
from odoo.exceptions import UserError
from odoo.tools import split_every

from .billing_period import period_bounds

_logger = logging.getLogger(__name__)


class EldercareBillingRun(models.Model):
    """One month-end run per company and month.

    Running it again is safe: statements already invoiced are skipped, draft or
    confirmed ones are rebuilt, and a work order can only ever be on one statement
    line.  A run that crashed resumes where its last committed chunk ended.
    """

    _name = "eldercare.billing.run"
    _inherit = ["eldercare.period.mixin", "mail.thread"]
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
