import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .product_template import VERIFICATION_METHODS

_logger = logging.getLogger(__name__)

STATES = [
    ("draft", "Draft"),
    ("assigned", "Assigned"),
    ("accepted", "Accepted"),
    ("in_progress", "In Progress"),
    ("done", "Done"),
    ("verified", "Verified"),
    ("cancel", "Cancelled"),
]
# action -> (allowed source states, target state)
TRANSITIONS = {
    "assign": ({"draft", "assigned"}, "assigned"),
    "accept": ({"assigned"}, "accepted"),
    "decline": ({"assigned", "accepted"}, "draft"),
    "start": ({"accepted"}, "in_progress"),
    "done": ({"in_progress"}, "done"),
    "verify": ({"done"}, "verified"),
    "reopen": ({"done"}, "in_progress"),
    "cancel": ({"draft", "assigned", "accepted", "in_progress"}, "cancel"),
    "reset_draft": ({"cancel"}, "draft"),
}
OPEN_STATES = ("draft", "assigned", "accepted", "in_progress")
# orders the center dispatches on its own (household requests and alerts are
# dispatched by the operator who handles them)
AUTO_DISPATCH_ORIGINS = ("recurring", "manual")
# a provider without any rated order counts as "satisfied enough"
NEUTRAL_RATING = 3.0
RATING_DAYS = 365
DEFAULT_DISPATCH_DAYS = 3
BATCH_NOTIFY_LIMIT = 20
ACTIVITY_TODO = "eldercare_base.mail_activity_type_work_order"
ACTIVITY_DISPATCH = "eldercare_base.mail_activity_type_work_order_dispatch"
ACTIVITY_LATE = "eldercare_base.mail_activity_type_work_order_late"
ACTIVITY_ESCALATION = "eldercare_base.mail_activity_type_work_order_escalation"
ACTIVITY_VERIFY = "eldercare_base.mail_activity_type_work_order_verify"


class EldercareWorkOrder(models.Model):
    """Work order (派工单) sent to a contracted provider."""

    _name = "eldercare.work.order"
    _description = "Eldercare Work Order"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_scheduled desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "elder_id.name", "product_id.name"]

    name = fields.Char(
        string="Reference", required=True, copy=False, readonly=True, default="/"
    )
    elder_id = fields.Many2one(
        "res.partner",
        required=True,
        index=True,
        tracking=True,
        domain=[("is_elder", "=", True)],
        ondelete="restrict",
    )
    community_id = fields.Many2one(
        "eldercare.area",
        related="elder_id.community_id",
        store=True,
        index=True,
        string="Community",
    )
    product_id = fields.Many2one(
        "product.product",
        string="Service Item",
        required=True,
        index=True,
        tracking=True,
        domain=[("is_eldercare_service", "=", True)],
        ondelete="restrict",
    )
    uom_id = fields.Many2one(related="product_id.uom_id")
    provider_id = fields.Many2one(
        "res.partner",
        index=True,
        tracking=True,
        domain="[('id', 'in', eligible_provider_ids)]",
        ondelete="restrict",
    )
    eligible_provider_ids = fields.Many2many(
        "res.partner",
        compute="_compute_eligible_provider_ids",
        string="Eligible Providers",
        help="Providers with an active contract covering the service item and "
        "the elder's community, cheapest first.",
    )
    eligible_line_ids = fields.Many2many(
        "eldercare.provider.contract.line",
        compute="_compute_eligible_provider_ids",
        string="Eligible Offers",
        help="Contract lines of the eligible providers for this item, cheapest first.",
    )
    staff_id = fields.Many2one(
        "eldercare.provider.staff",
        string="Staff Member",
        index=True,
        tracking=True,
        domain="[('provider_id', '=', provider_id), ('available', '=', True)]",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Assignee",
        index=True,
        tracking=True,
        help="User who receives the to-do when the order is assigned.",
    )
    origin = fields.Selection(
        [
            ("recurring", "Recurring Need"),
            ("household", "Household Request"),
            ("alert", "Emergency Alert"),
            ("manual", "Manual"),
        ],
        required=True,
        default="manual",
        index=True,
    )
    need_id = fields.Many2one(
        "eldercare.recurring.need",
        string="Recurring Need",
        index=True,
        ondelete="set null",
        copy=False,
        check_company=True,
    )
    date_scheduled = fields.Datetime(
        string="Scheduled",
        required=True,
        default=fields.Datetime.now,
        index=True,
        tracking=True,
    )
    date_deadline = fields.Datetime(string="Deadline", tracking=True)
    date_end = fields.Datetime(string="Completed On", copy=False, readonly=True)
    state = fields.Selection(
        STATES,
        default="draft",
        required=True,
        index=True,
        tracking=True,
        copy=False,
        readonly=True,
    )
    quantity = fields.Float(default=1.0, required=True)
    price_unit = fields.Float(
        string="Unit Price",
        digits="Product Price",
        compute="_compute_price_unit",
        store=True,
        readonly=False,
        tracking=True,
        help="Defaults to the price of the provider's contract.",
    )
    amount_total = fields.Monetary(
        string="Total",
        compute="_compute_amount_total",
        store=True,
        aggregator="sum",
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(
        "res.currency",
        related="company_id.currency_id",
        store=True,
    )
    satisfaction = fields.Selection(
        [
            ("1", "Very Dissatisfied"),
            ("2", "Dissatisfied"),
            ("3", "Neutral"),
            ("4", "Satisfied"),
            ("5", "Very Satisfied"),
        ],
        tracking=True,
        copy=False,
    )
    feedback = fields.Text(copy=False)
    decline_reason = fields.Text(copy=False, tracking=True)
    description = fields.Text(string="Instructions")
    provider_note = fields.Text(copy=False)
    # what a provider needs for the job (read through sudo: providers
    # cannot read the elder's file itself)
    elder_name = fields.Char(related="elder_id.name", string="Elder Name")
    elder_address = fields.Char(compute="_compute_elder_contact", compute_sudo=True)
    elder_phone = fields.Char(compute="_compute_elder_contact", compute_sudo=True)
    # ----------------------------------------------------------- dispatch
    coordinator_id = fields.Many2one(
        "res.users",
        index=True,
        tracking=True,
        default=lambda self: self._default_coordinator(),
        domain=[("share", "=", False)],
        help="Call-center user who follows the order: warned when the provider "
        "is slow, verifies the work. Empty: the elder's community worker, else "
        "the company's first supervisor.",
    )
    auto_dispatch = fields.Boolean(
        string="Dispatch Automatically",
        default=True,
        help="Recurring and manual orders without a provider are assigned to the "
        "best eligible provider as soon as they are due within the dispatch "
        "window (see the readme for the rule).",
    )
    refused_provider_ids = fields.Many2many(
        "res.partner",
        "eldercare_work_order_refused_provider_rel",
        "order_id",
        "partner_id",
        string="Refused / Late Providers",
        copy=False,
        readonly=True,
        help="Providers that declined this order or did not accept it in time; "
        "the order is not dispatched to them again.",
    )
    date_assigned = fields.Datetime(string="Assigned On", copy=False, readonly=True)
    date_accepted = fields.Datetime(string="Accepted On", copy=False, readonly=True)
    date_started = fields.Datetime(string="Started On", copy=False, readonly=True)
    accept_deadline = fields.Datetime(
        string="Accept Before",
        compute="_compute_deadlines",
        store=True,
        help="Assignment time plus the service item's hours to accept.",
    )
    start_deadline = fields.Datetime(
        string="Start Before",
        compute="_compute_deadlines",
        store=True,
        help="Scheduled time plus the service item's hours to start.",
    )
    late_warned = fields.Boolean(
        copy=False,
        readonly=True,
        help="The coordinator was warned that the provider is slow (to accept "
        "or to start).",
    )
    escalated = fields.Boolean(
        copy=False,
        readonly=True,
        help="The order is late or overdue and was escalated to the supervisors.",
    )
    max_quantity = fields.Float(
        string="Maximum per Visit",
        compute="_compute_max_quantity",
        help="Highest quantity the provider may report: the contract line's "
        "maximum, else the service item's.",
    )
    # -------------------------------------------------------- verification
    verification_method = fields.Selection(
        related="product_id.eldercare_verification", string="Verification"
    )
    verified_via = fields.Selection(
        VERIFICATION_METHODS, string="Verified By", copy=False, readonly=True
    )
    verified_user_id = fields.Many2one(
        "res.users", string="Verified By User", copy=False, readonly=True
    )
    date_verified = fields.Datetime(string="Verified On", copy=False, readonly=True)
    evidence_pin_ok = fields.Boolean(
        string="Elder's PIN Given",
        copy=False,
        readonly=True,
        help="The provider entered the elder's service PIN when finishing.",
    )

    _sql_constraints = [
        (
            "need_date_uniq",
            "unique(need_id, date_scheduled)",
            "A recurring need already has a work order at this date and time.",
        ),
        ("quantity_positive", "CHECK(quantity > 0)", "The quantity must be positive."),
    ]

    @api.model
    def _default_coordinator(self):
        user = self.env.user
        if user.share or user._is_superuser():
            return False
        return user

    # ---------------------------------------------------------------- computes
    @api.depends(
        "date_assigned",
        "date_scheduled",
        "product_id.eldercare_accept_hours",
        "product_id.eldercare_start_hours",
    )
    def _compute_deadlines(self):
        for order in self:
            product = order.product_id
            order.accept_deadline = order.date_assigned and (
                order.date_assigned
                + timedelta(hours=product.eldercare_accept_hours or 0.0)
            )
            order.start_deadline = order.date_scheduled and (
                order.date_scheduled
                + timedelta(hours=product.eldercare_start_hours or 0.0)
            )

    @api.depends("provider_id", "product_id", "community_id", "date_scheduled")
    def _compute_max_quantity(self):
        cache = {}
        for order in self:
            line = order._get_contract_line(cache) if order.provider_id else False
            order.max_quantity = (
                line._get_max_quantity(order.product_id)
                if line
                else order.product_id.eldercare_max_quantity
            )

    @api.depends("product_id", "community_id", "date_scheduled", "company_id")
    def _compute_eligible_provider_ids(self):
        Contract = self.env["eldercare.provider.contract"]
        cache = {}
        for order in self:
            eligible = Contract._find_eligible_cached(
                cache,
                order.product_id,
                order.community_id,
                order.date_scheduled and order.date_scheduled.date(),
                order.company_id,
            )
            order.eligible_provider_ids = [fields.Command.set(list(eligible))]
            order.eligible_line_ids = [
                fields.Command.set([line.id for line in eligible.values()])
            ]

    @api.depends("provider_id", "product_id", "community_id", "company_id")
    def _compute_price_unit(self):
        cache = {}
        for order in self:
            if not order.product_id:
                order.price_unit = 0.0
                continue
            line = order._get_contract_line(cache)
            order.price_unit = line.price_unit if line else order.product_id.lst_price

    @api.depends("quantity", "price_unit")
    def _compute_amount_total(self):
        for order in self:
            order.amount_total = order.quantity * order.price_unit

    def _compute_elder_contact(self):
        for order in self:
            elder = order.elder_id
            order.elder_address = elder._eldercare_address() if elder else False
            order.elder_phone = elder._eldercare_best_number() if elder else False

    def _get_contract_line(self, cache=None):
        """The contract line of the order's provider for its item and area."""
        self.ensure_one()
        if not (self.provider_id and self.product_id):
            return self.env["eldercare.provider.contract.line"]
        eligible = self.env["eldercare.provider.contract"]._find_eligible_cached(
            {} if cache is None else cache,
            self.product_id,
            self.community_id,
            (self.date_scheduled or fields.Datetime.now()).date(),
            self.company_id,
        )
        return eligible.get(
            self.provider_id.commercial_partner_id.id,
            self.env["eldercare.provider.contract.line"],
        )

    def _compute_display_name(self):
        for order in self:
            if order.elder_id and order.product_id:
                order.display_name = (
                    f"{order.name} {order.elder_id.name} - {order.product_id.name}"
                )
            else:
                order.display_name = order.name

    # ------------------------------------------------------------ constraints
    @api.constrains("provider_id", "product_id", "elder_id", "date_scheduled")
    def _check_provider_eligible(self):
        cache = {}
        for order in self:
            if not order.provider_id or order.state in ("done", "verified", "cancel"):
                continue
            if not order._get_contract_line(cache):
                raise ValidationError(
                    _(
                        "%(provider)s cannot be assigned to %(order)s: it has no "
                        "active contract covering “%(item)s” in %(community)s on "
                        "%(date)s. Choose one of the eligible providers.",
                        provider=order.provider_id.display_name,
                        order=order.name,
                        item=order.product_id.display_name,
                        community=order.community_id.complete_name
                        or _("the elder's community (none set)"),
                        date=fields.Date.to_string(order.date_scheduled.date()),
                    )
                )

    @api.constrains("staff_id", "provider_id", "product_id", "elder_id")
    def _check_staff_provider(self):
        for order in self:
            if order.staff_id and order.staff_id.provider_id != order.provider_id:
                raise ValidationError(
                    _(
                        "%(staff)s works for %(staff_provider)s, not for the provider "
                        "of %(order)s.",
                        staff=order.staff_id.name,
                        staff_provider=order.staff_id.provider_id.name,
                        order=order.name,
                    )
                )
            if order.staff_id and not order.staff_id._covers(
                order.product_id, order.community_id
            ):
                raise ValidationError(
                    _(
                        "%(staff)s does not do “%(item)s” in %(community)s: check "
                        "the service items and areas of the staff member.",
                        staff=order.staff_id.name,
                        item=order.product_id.display_name,
                        community=order.community_id.complete_name or "-",
                    )
                )

    @api.constrains("date_scheduled", "date_deadline")
    def _check_deadline(self):
        for order in self:
            if order.date_deadline and order.date_deadline < order.date_scheduled:
                raise ValidationError(
                    _(
                        "The deadline of %(order)s is before its scheduled date.",
                        order=order.name,
                    )
                )

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        self.env["ir.sequence"]._eldercare_fill_names("eldercare.work.order", vals_list)
        return super().create(vals_list)

    def write(self, vals):
        if self.env.user.share and not self.env.su:
            # providers (portal) act only through the bounded actions below,
            # which check the step and the bounds and then write as the center
            raise AccessError(
                _(
                    "Providers change their work orders only through the steps of "
                    "the provider portal (accept, decline, start, finish). A "
                    "direct change of %(fields)s is refused.",
                    fields=", ".join(
                        f"{self._fields[name].get_description(self.env)['string']}"
                        f" ({name})"
                        if name in self._fields
                        else name
                        for name in sorted(vals)
                    ),
                )
            )
        res = super().write(vals)
        if "satisfaction" in vals and vals["satisfaction"]:
            # the elder's answer (survey or call-back) confirms the visit
            self.filtered(
                lambda o: o.state == "done" and o.verification_method == "survey"
            )._eldercare_mark_verified("survey")
        return res

    def _eldercare_write_as_center(self, vals):
        """Write ``vals`` for a step a provider may take: its rights on the
        orders are checked first, then the write runs as the center (the
        provider stays the author of the tracking messages)."""
        if self.env.user.share and not self.env.su:
            self.check_access("write")
            return self.sudo().write(vals)
        return self.write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_started(self):
        if self.env.context.get("eldercare_regenerate"):
            return
        started = self.filtered(lambda o: o.state not in ("draft", "cancel"))
        if started:
            raise UserError(
                _(
                    "Only draft or cancelled work orders can be deleted; cancel "
                    "%(orders)s first.",
                    orders=", ".join(started.mapped("name")),
                )
            )

    # ---------------------------------------------------------------- states
    def _check_transition(self, action):
        if (
            action in ("assign", "verify", "reopen", "cancel", "reset_draft")
            and self.env.user.share
            and not self.env.su
        ):
            raise AccessError(
                _("Only the call center can %(action)s a work order.", action=action)
            )
        sources, _target = TRANSITIONS[action]
        labels = dict(self._fields["state"]._description_selection(self.env))
        for order in self:
            if order.state not in sources:
                raise UserError(
                    _(
                        "%(order)s is %(state)s: it cannot be %(action)s. "
                        "This is only possible from: %(allowed)s.",
                        order=order.name,
                        state=labels[order.state],
                        action=self._action_label(action),
                        allowed=", ".join(
                            labels[s] for s, _l in STATES if s in sources
                        ),
                    )
                )

    def _action_label(self, action):
        return {
            "assign": _("assigned"),
            "accept": _("accepted"),
            "decline": _("declined"),
            "start": _("started"),
            "done": _("marked as done"),
            "verify": _("verified"),
            "reopen": _("sent back to the provider"),
            "cancel": _("cancelled"),
            "reset_draft": _("reset to draft"),
        }[action]
