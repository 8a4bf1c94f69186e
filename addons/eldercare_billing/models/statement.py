"""The monthly statement of an elder: fields, states and actions.

Its other concerns live beside it (``_inherit`` of the same model):
``statement_pricing.py`` (pricing, subsidy split, instant query),
``statement_invoice.py`` (the elder invoice), ``statement_delivery.py``
(portal, email, SMS, payment reminders); its lines in ``statement_line.py``.
"""

from odoo import api, fields, models
from odoo.exceptions import UserError

from .billing_period import period_bounds

__all__ = ["period_bounds"]  # imported from here by the benchmark

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
STATEMENT_TOTALS = ["amount_total", "amount_elder", "amount_subsidy", "line_count"]


class EldercareStatement(models.Model):
    """Monthly statement of one elder: what was delivered, who pays what."""

    _name = "eldercare.statement"
    _inherit = [
        "eldercare.period.mixin",
        "portal.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
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
        return self.env["ir.actions.report"]._eldercare_print_action(
            "eldercare_billing.action_report_statement", self
        )
