import calendar
import logging
from datetime import date as dt_date
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models, modules
from odoo.exceptions import UserError, ValidationError

_logger = logging.getLogger(__name__)

# a provider's "done" is a claim: only orders the center verified are billed
BILLABLE_STATES = ("verified",)
UNPAID_STATES = ("not_paid", "partial")
# statement fields copied on its lines (reporting without joins)
STATEMENT_COPIED_FIELDS = (
    "partner_id",
    "period",
    "company_id",
    "currency_id",
    "community_id",
    "elder_category_id",
)


def period_bounds(period):
    """('2026-11') -> (date(2026, 11, 1), date(2026, 11, 30))."""
    year, month = (int(part) for part in period.split("-"))
    return (
        dt_date(year, month, 1),
        dt_date(year, month, calendar.monthrange(year, month)[1]),
    )


STATEMENT_TOTALS = ["amount_total", "amount_elder", "amount_subsidy", "line_count"]


class EldercareStatement(models.Model):
    """Monthly statement of one elder: what was delivered, who pays what."""

    _name = "eldercare.statement"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _description = "Elder Monthly Statement"
    _order = "period desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", readonly=True, copy=False, default="/", index="trigram"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Elder",
        required=True,
        index=True,
        tracking=True,
        domain="[('is_elder', '=', True)]",
    )
    period = fields.Char(
        required=True, index=True, help="Month of the statement, as YYYY-MM."
    )
    date_from = fields.Date(compute="_compute_dates", store=True)
    date_to = fields.Date(compute="_compute_dates", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id", store=True)
    elder_category_id = fields.Many2one("eldercare.elder.category", index=True)
    community_id = fields.Many2one("eldercare.area", index=True)
    line_ids = fields.One2many(
        "eldercare.statement.line", "statement_id", string="Lines", copy=False
    )
    line_count = fields.Integer(compute="_compute_amounts", store=True)
    amount_total = fields.Monetary(
        string="Total", compute="_compute_amounts", store=True, tracking=True
    )
    amount_elder = fields.Monetary(
        string="Elder Share", compute="_compute_amounts", store=True, tracking=True
    )
    amount_subsidy = fields.Monetary(
        string="Subsidy Share", compute="_compute_amounts", store=True
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("confirmed", "Confirmed"),
            ("invoiced", "Invoiced"),
            ("cancel", "Cancelled"),
        ],
        default="draft",
        required=True,
        index=True,
        tracking=True,
        copy=False,
    )
    run_id = fields.Many2one(
        "eldercare.billing.run", string="Month-end Run", copy=False
    )
    invoice_id = fields.Many2one(
        "account.move",
        string="Elder Invoice",
        copy=False,
        readonly=True,
        tracking=True,
        index="btree_not_null",
    )
    payment_state = fields.Selection(
        [
            ("none", "Nothing to Pay"),
            ("not_paid", "Due"),
            ("partial", "Partially Paid"),
            ("in_payment", "In Payment"),
            ("paid", "Paid"),
            ("reversed", "Reversed"),
        ],
        compute="_compute_payment_state",
        store=True,
        tracking=True,
    )
    amount_residual = fields.Monetary(
        string="Amount Due", compute="_compute_payment_state", store=True
    )
    invoice_date_due = fields.Date(
        related="invoice_id.invoice_date_due", string="Due Date"
    )
    delivery_state = fields.Selection(
        [
            ("pending", "To Deliver"),
            ("done", "Delivered"),
            ("no_channel", "No Email or SMS"),
        ],
        copy=False,
        index="btree_not_null",
        tracking=True,
        help="Set when the statement is invoiced; the delivery cron emails the "
        "printed statement and sends the SMS notice.",
    )
    delivery_date = fields.Datetime(string="Delivered On", copy=False, readonly=True)
    delivery_note = fields.Text(copy=False, readonly=True)
    payment_reminder_date = fields.Date(
        copy=False,
        readonly=True,
        help="Day the payment reminder was given (at most once per statement).",
    )
    payment_reminder_channel = fields.Selection(
        [("call", "Phone Call"), ("sms", "SMS")], copy=False, readonly=True
    )
    subsidy_move_ids = fields.Many2many(
        "account.move", compute="_compute_moves", string="Subsidy Invoices"
    )
    vendor_bill_ids = fields.Many2many(
        "account.move", compute="_compute_moves", string="Provider Bills"
    )

    _sql_constraints = [
        (
            "elder_period_uniq",
            "UNIQUE(partner_id, period, company_id)",
            "An elder has only one statement per month.",
        ),
    ]

    @api.depends("period")
    def _compute_dates(self):
        for statement in self:
            try:
                statement.date_from, statement.date_to = period_bounds(statement.period)
            except (AttributeError, ValueError):
                statement.date_from = statement.date_to = False

    @api.depends("line_ids.amount", "line_ids.amount_elder", "line_ids.amount_subsidy")
    def _compute_amounts(self):
        for statement in self:
            lines = statement.line_ids
            currency = statement.currency_id or self.env.company.currency_id
            statement.line_count = len(lines)
            statement.amount_total = currency.round(sum(lines.mapped("amount")))
            statement.amount_elder = currency.round(sum(lines.mapped("amount_elder")))
            statement.amount_subsidy = currency.round(
                sum(lines.mapped("amount_subsidy"))
            )

    @api.depends(
        "invoice_id.payment_state", "invoice_id.amount_residual", "amount_elder"
    )
    def _compute_payment_state(self):
        for statement in self:
            invoice = statement.invoice_id
            if invoice and invoice.state == "posted":
                state = invoice.payment_state
                if state not in dict(self._fields["payment_state"].selection):
                    state = "not_paid"
                statement.payment_state = state
                statement.amount_residual = invoice.amount_residual
            elif statement.currency_id.is_zero(statement.amount_elder):
                statement.payment_state = "none"
                statement.amount_residual = 0.0
            else:
                statement.payment_state = "not_paid"
                statement.amount_residual = statement.amount_elder

    def _compute_access_url(self):
        for statement in self:
            statement.access_url = f"/my/statements/{statement.id}"

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._(
            "Statement %(period)s %(elder)s",
            period=self.period,
            elder=self.partner_id.name,
        )

    @api.depends("line_ids.subsidy_move_id", "line_ids.vendor_bill_id")
    def _compute_moves(self):
        for statement in self:
            statement.subsidy_move_ids = statement.line_ids.subsidy_move_id
            statement.vendor_bill_ids = statement.line_ids.vendor_bill_id

    @api.constrains("period")
    def _check_period(self):
        for statement in self:
            try:
                period_bounds(statement.period)
            except (AttributeError, ValueError) as err:
                raise ValidationError(
                    self.env._("The period must be written YYYY-MM, e.g. 2026-11.")
                ) from err

    @api.model_create_multi
    def create(self, vals_list):
        self.env["ir.sequence"]._eldercare_fill_names("eldercare.statement", vals_list)
        return super().create(vals_list)

    def write(self, vals):
        res = super().write(vals)
        copied = [fname for fname in STATEMENT_COPIED_FIELDS if fname in vals]
        if copied:
            for statement in self:
                statement.line_ids.write(
                    {
                        fname: (
                            statement[fname].id
                            if isinstance(statement[fname], models.BaseModel)
                            else statement[fname]
                        )
                        for fname in (*copied, "currency_id")
                    }
                )
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_invoiced(self):
        if any(statement.state == "invoiced" for statement in self):
            raise UserError(self.env._("An invoiced statement cannot be deleted."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_confirm(self):
        if any(statement.state != "draft" for statement in self):
            raise UserError(self.env._("Only draft statements can be confirmed."))
        self.state = "confirmed"

    def action_reset_draft(self):
        if any(statement.state != "confirmed" for statement in self):
            raise UserError(
                self.env._("Only confirmed statements can be reset to draft.")
            )
        self.state = "draft"

    def action_cancel(self):
        if any(statement.state == "invoiced" for statement in self):
            raise UserError(
                self.env._(
                    "Cancel the invoice first: an invoiced statement stays invoiced."
                )
            )
        self.line_ids.unlink()
        self.state = "cancel"

    def action_invoice(self):
        """Invoice the elder share of these statements now."""
        todo = self.filtered(lambda s: s.state in ("draft", "confirmed"))
        for company in todo.company_id:
            todo.filtered(
                lambda s, c=company: s.company_id == c
            )._create_elder_invoices()
        return True

    def action_view_invoice(self):
        self.ensure_one()
        moves = self.invoice_id | self.subsidy_move_ids | self.vendor_bill_ids
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_journal_line"
        )
        action.update(
            domain=[("id", "in", moves.ids)],
            context={"create": False},
            views=[(False, "list"), (False, "form")],
        )
        return action

    def action_register_payment(self):
        """Register the elder's payment on the posted elder invoice."""
        self.ensure_one()
        if not self.invoice_id or self.invoice_id.state != "posted":
            raise UserError(
                self.env._(
                    "Statement %(statement)s has no posted invoice: there is "
                    "nothing to pay yet.",
                    statement=self.name,
                )
            )
        return self.invoice_id.action_register_payment()

    def action_deliver(self):
        """Deliver (again) now: email with the printed statement, SMS notice."""
        if any(statement.state != "invoiced" for statement in self):
            raise UserError(self.env._("Only invoiced statements are delivered."))
        return self._deliver()

    def action_preview(self):
        """Open the statement as the elder and relatives see it in the portal."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "target": "self",
            "url": self.get_portal_url(),
        }

    def action_print(self):
        """PDF when wkhtmltopdf works on this server, HTML otherwise."""
        pdf_ok = self.env["ir.actions.report"].get_wkhtmltopdf_state() == "ok"
        xmlid = (
            "eldercare_billing.action_report_statement"
            if pdf_ok
            else "eldercare_billing.action_report_statement_html"
        )
        return self.env.ref(xmlid).report_action(self)

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
                [
                    "name",
                    "product_id",
                    "provider_id",
                    "quantity",
                    "price_unit",
                    "price_override_reason",
                    "billing_date",
                ],
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

    # ------------------------------------------------------------------
    # Invoicing
    # ------------------------------------------------------------------
    def _prepare_elder_invoice(self, journal):
        """(header vals, lines) of the elder-share invoice: one line per service."""
        self.ensure_one()
        per_product = {}
        for line in self.line_ids:
            if self.currency_id.is_zero(line.amount_elder):
                continue
            entry = per_product.setdefault(
                line.product_id, {"qty": 0.0, "elder": 0.0, "total": 0.0}
            )
            entry["qty"] += line.quantity
            entry["elder"] += line.amount_elder
            entry["total"] += line.amount
        if self.company_id.eldercare_invoice_detail != "service":
            lines = [
                {
                    "product_id": False,
                    "name": self.env._(
                        "Eldercare services %(period)s, statement %(statement)s: "
                        "%(count)s service(s), total %(total).2f, subsidies "
                        "%(subsidy).2f, elder share",
                        period=self.period,
                        statement=self.name,
                        count=self.line_count,
                        total=self.amount_total,
                        subsidy=self.amount_subsidy,
                    ),
                    "quantity": 1.0,
                    "price_unit": self.amount_elder,
                }
            ]
            per_product = {}
        else:
            lines = []
        lines += [
            {
                "product_id": product.id,
                "name": self.env._(
                    "%(service)s × %(qty)s, %(period)s: total %(total).2f, "
                    "elder share",
                    service=product.name,
                    qty=f"{entry['qty']:g}",
                    period=self.period,
                    total=entry["total"],
                ),
                "quantity": 1.0,
                "price_unit": self.currency_id.round(entry["elder"]),
            }
            for product, entry in per_product.items()
        ]
        header = {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "journal_id": journal.id,
            "company_id": self.company_id.id,
            "invoice_date": self.date_to,
            "date": self.date_to,
            "ref": self.name,
            "invoice_origin": self.name,
            "payment_reference": self.name,
            "eldercare_statement_id": self.id,
            "eldercare_billing_kind": "elder",
            "eldercare_period": self.period,
        }
        return header, lines

    def _create_elder_invoices(self, run=None):
        """Create and post the elder invoices of statements of ONE company.

        Statements whose elder share is zero (free categories) need no invoice and
        are marked invoiced directly.  Returns the posted invoices.
        """
        if not self:
            return self.env["account.move"]
        company = self.company_id
        company.ensure_one()
        journal = company._eldercare_sale_journal()
        if not journal:
            raise UserError(
                self.env._(
                    "Company %(company)s has no sales journal: install a chart of "
                    "accounts first.",
                    company=company.name,
                )
            )
        to_invoice = self.filtered(
            lambda s: not s.invoice_id and not s.currency_id.is_zero(s.amount_elder)
        )
        to_invoice.line_ids.product_id.fetch(["name"])
        documents = [st._prepare_elder_invoice(journal) for st in to_invoice]
        if run:
            for header, _lines in documents:
                header["eldercare_run_id"] = run.id
        moves = self.env["account.move"]._eldercare_create_posted(
            documents, company, company.eldercare_sale_tax_ids
        )
        for statement, move in zip(to_invoice, moves, strict=True):
            statement.invoice_id = move
        self.write({"state": "invoiced", "delivery_state": "pending"})
        self._trigger_delivery()
        return moves

    # ------------------------------------------------------------------
    # Delivery: portal, email with the printed statement, SMS notice
    # ------------------------------------------------------------------
    def _trigger_delivery(self):
        cron = self.env.ref(
            "eldercare_billing.ir_cron_deliver_statements", raise_if_not_found=False
        )
        if cron:
            cron.sudo()._trigger()

    @api.model
    def _cron_deliver_statements(self, limit=200):
        """Deliver invoiced statements in batches (email + SMS), committing after
        each batch; the rendering of the printed statements is why this runs
        apart from the month end."""
        domain = [("delivery_state", "=", "pending"), ("state", "=", "invoiced")]
        while True:
            statements = self.search(domain, limit=limit, order="id")
            if not statements:
                return True
            statements._deliver()
            remaining = self.search_count(domain)
            self.env["ir.cron"]._notify_progress(
                done=len(statements), remaining=remaining
            )
            if not (self.env.registry.in_test_mode() or modules.module.current_test):
                self.env.cr.commit()  # pylint: disable=invalid-commit

    def _eldercare_statement_recipients(self):
        """Partners who receive the statement by email: the elder, and (hook for
        the relatives' portal) whoever the center links to the elder."""
        self.ensure_one()
        return self.partner_id.filtered("email")

    def _eldercare_sms_numbers(self):
        """Numbers told by SMS that the statement is ready: the elder's first
        certified mobile (else their mobile) and the emergency-contact relatives."""
        self.ensure_one()
        elder = self.partner_id
        normalize = self.env["eldercare.phone"]._normalize_number
        numbers = []
        mobiles = elder.elder_phone_ids.filtered(
            lambda p: p.active and p.phone_type == "mobile"
        )
        first = mobiles[:1].number_e164 or normalize(elder.mobile)
        if first:
            numbers.append(first)
        for relative in elder.relative_ids.filtered("is_emergency_contact"):
            if relative.phone_e164 and relative.phone_e164 not in numbers:
                numbers.append(relative.phone_e164)
        return numbers

    def _eldercare_send_sms(self, numbers, body):
        """Hook for the SMS gateway: send ``body`` to ``numbers`` (E.164) about
        this statement; return the numbers actually handed to the gateway.

        Without a gateway nothing is sent and nothing is pretended."""
        return []

    def _eldercare_printed_statement(self):
        """(file name, content) of the printed statement: a PDF when the
        report engine renders one, else the HTML version, named as such."""
        self.ensure_one()
        Report = self.env["ir.actions.report"]
        title = self.env._(
            "Statement %(period)s %(elder)s",
            period=self.period,
            elder=self.partner_id.name,
        )
        if Report.get_wkhtmltopdf_state() == "ok":
            content, fmt = Report._render_qweb_pdf(
                "eldercare_billing.action_report_statement", self.ids
            )
            if fmt == "pdf":
                return f"{title}.pdf", content
        content, _fmt = Report._render_qweb_html(
            "eldercare_billing.action_report_statement_html", self.ids
        )
        return self.env._("%(title)s (HTML).html", title=title), content

    def _deliver(self):
        """Publish, email and text each statement; write down what was done."""
        now = fields.Datetime.now()
        for statement in self:
            statement = statement.with_context(lang=statement.partner_id.lang)
            statement._portal_ensure_token()
            notes = []
            recipients = statement._eldercare_statement_recipients()
            url = statement.get_base_url() + statement.get_portal_url()
            if recipients:
                filename, content = statement._eldercare_printed_statement()
                statement.message_post(
                    body=Markup("<p>%s</p><p><a href='%s'>%s</a></p>")
                    % (
                        statement.env._(
                            "Your eldercare statement for %(period)s: total "
                            "%(total).2f, subsidies %(subsidy).2f, to pay "
                            "%(elder).2f.",
                            period=statement.period,
                            total=statement.amount_total,
                            subsidy=statement.amount_subsidy,
                            elder=statement.amount_elder,
                        ),
                        url,
                        statement.env._("View it online"),
                    ),
                    subject=statement.env._(
                        "Eldercare statement %(period)s", period=statement.period
                    ),
                    partner_ids=recipients.ids,
                    attachments=[(filename, content)],
                    subtype_xmlid="mail.mt_comment",
                    message_type="comment",
                )
                notes.append(
                    statement.env._(
                        "Emailed to %(names)s (%(file)s).",
                        names=", ".join(recipients.mapped("name")),
                        file=filename,
                    )
                )
            numbers = statement._eldercare_sms_numbers()
            texted = []
            if numbers:
                texted = statement._eldercare_send_sms(
                    numbers,
                    statement.env._(
                        "Eldercare statement %(period)s for %(elder)s: to pay "
                        "%(amount).2f. %(url)s",
                        period=statement.period,
                        elder=statement.partner_id.name,
                        amount=statement.amount_elder,
                        url=url,
                    ),
                )
            if texted:
                notes.append(
                    statement.env._(
                        "SMS sent to %(numbers)s.", numbers=", ".join(texted)
                    )
                )
            elif numbers:
                notes.append(
                    statement.env._("No SMS sent (no SMS gateway configured).")
                )
            statement.write(
                {
                    "delivery_state": "done" if recipients or texted else "no_channel",
                    "delivery_date": now,
                    "delivery_note": "\n".join(notes)
                    or statement.env._("Portal only: no email address, no SMS."),
                }
            )
        return True

    # ------------------------------------------------------------------
    # Payment reminders (base asks ``res.partner._eldercare_payment_reminder_
    # partners``; billing decides who and gives each reminder once)
    # ------------------------------------------------------------------
    @api.model
    def _payment_reminder_grace_days(self):
        param = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("eldercare_billing.payment_reminder_grace_days", "0")
        )
        try:
            return max(int(param), 0)
        except ValueError:
            return 0

    @api.model
    def _give_payment_reminders(self, date=None):
        """Remind every elder whose statement is unpaid past its due date (plus
        the grace days), once per statement: by SMS when the elder prefers it
        and a gateway sends it, else by a call (the dialer reads the call tasks
        of ``res.partner._eldercare_outbound_call_tasks``).  Returns the
        statements reminded now."""
        today = date or fields.Date.context_today(self)
        limit = today - timedelta(days=self._payment_reminder_grace_days())
        statements = self.sudo().search(
            [
                ("state", "=", "invoiced"),
                ("payment_state", "in", UNPAID_STATES),
                ("payment_reminder_date", "=", False),
                ("invoice_id.invoice_date_due", "<", limit),
            ]
        )
        by_channel = {"sms": self.browse(), "call": self.browse()}
        for statement in statements:
            channel = "call"
            if statement.partner_id.eldercare_reminder_channel == "sms":
                numbers = statement._eldercare_sms_numbers()[:1]
                if numbers and statement._eldercare_send_sms(
                    numbers,
                    self.env._(
                        "Reminder: the eldercare statement %(period)s of "
                        "%(elder)s is due, %(amount).2f still to pay.",
                        period=statement.period,
                        elder=statement.partner_id.name,
                        amount=statement.amount_residual,
                    ),
                ):
                    channel = "sms"
            by_channel[channel] |= statement
        for channel, group in by_channel.items():
            group.write(
                {"payment_reminder_date": today, "payment_reminder_channel": channel}
            )
        return statements

    @api.model
    def _payment_reminder_partners(self, date):
        """Elders whose payment reminder call is due on ``date``."""
        statements = self.sudo().search_fetch(
            [
                ("payment_reminder_date", "=", date),
                ("payment_reminder_channel", "=", "call"),
                ("payment_state", "in", UNPAID_STATES),
            ],
            ["partner_id"],
        )
        return statements.partner_id


class EldercareStatementLine(models.Model):
    _name = "eldercare.statement.line"
    _description = "Elder Statement Line"
    _order = "date, id"
    _check_company_auto = True

    statement_id = fields.Many2one(
        "eldercare.statement", required=True, ondelete="cascade", index=True
    )
    # copies of the statement's values (kept in sync by the statement's write):
    # plain stored fields are much cheaper than related ones for 80,000 lines
    partner_id = fields.Many2one(
        "res.partner", string="Elder", index=True, readonly=True
    )
    period = fields.Char(index=True, readonly=True)
    company_id = fields.Many2one("res.company", index=True, readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    community_id = fields.Many2one("eldercare.area", readonly=True)
    elder_category_id = fields.Many2one("eldercare.elder.category", readonly=True)
    statement_state = fields.Selection(related="statement_id.state")
    work_order_id = fields.Many2one(
        "eldercare.work.order", required=True, index=True, ondelete="restrict"
    )
    date = fields.Date(required=True)
    product_id = fields.Many2one("product.product", string="Service", required=True)
    provider_id = fields.Many2one("res.partner", index=True)
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure")
    price_unit = fields.Float(digits="Product Price")
    price_unit_contract = fields.Float(
        string="Provider Price",
        digits="Product Price",
        help="Contracted price paid to the provider.",
    )
    amount = fields.Monetary(aggregator="sum")
    amount_elder = fields.Monetary(string="Elder Share", aggregator="sum")
    amount_subsidy = fields.Monetary(string="Subsidy Share", aggregator="sum")
    amount_cost = fields.Monetary(string="Provider Amount", aggregator="sum")
    subsidy_rule_id = fields.Many2one("eldercare.subsidy.rule")
    payer_id = fields.Many2one("res.partner", string="Subsidy Payer", index=True)
    subsidy_move_id = fields.Many2one(
        "account.move", string="Subsidy Invoice", copy=False, index="btree_not_null"
    )
    vendor_bill_id = fields.Many2one(
        "account.move", string="Provider Bill", copy=False, index="btree_not_null"
    )

    _sql_constraints = [
        (
            "work_order_uniq",
            "UNIQUE(work_order_id)",
            "A work order is billed only once.",
        ),
        (
            "shares_sum",
            "CHECK(ABS(COALESCE(amount, 0) - COALESCE(amount_elder, 0) "
            "- COALESCE(amount_subsidy, 0)) < 0.000001)",
            "Elder share and subsidy share must add up to the line amount.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        statements = self.env["eldercare.statement"].browse(
            {vals["statement_id"] for vals in vals_list if vals.get("statement_id")}
        )
        statements.fetch(STATEMENT_COPIED_FIELDS)
        for vals in vals_list:
            if not vals.get("statement_id"):
                continue
            statement = statements.browse(vals["statement_id"])
            for fname in STATEMENT_COPIED_FIELDS:
                if fname not in vals:
                    value = statement[fname]
                    vals[fname] = (
                        value.id if isinstance(value, models.BaseModel) else value
                    )
        return super().create(vals_list)
