import logging
from datetime import timedelta

from markupsafe import Markup, escape

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
        string="Coordinator",
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
            order.elder_phone = elder.mobile or elder.home_phone or elder.phone or False

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

    # -------------------------------------------------------------- dispatch
    @api.model
    def _eldercare_provider_stats(self, provider_ids):
        """({provider id: open orders}, {provider id: average satisfaction})
        in two grouped queries."""
        if not provider_ids:
            return {}, {}
        Order = self.sudo()
        loads = {
            provider.id: count
            for provider, count in Order._read_group(
                [
                    ("provider_id", "in", list(provider_ids)),
                    ("state", "in", ("assigned", "accepted", "in_progress")),
                ],
                ["provider_id"],
                ["__count"],
            )
        }
        since = fields.Datetime.now() - timedelta(days=RATING_DAYS)
        totals = {}
        for provider, score, count in Order._read_group(
            [
                ("provider_id", "in", list(provider_ids)),
                ("satisfaction", "!=", False),
                ("date_scheduled", ">=", since),
            ],
            ["provider_id", "satisfaction"],
            ["__count"],
        ):
            total = totals.setdefault(provider.id, [0, 0])
            total[0] += int(score) * count
            total[1] += count
        ratings = {pid: points / count for pid, (points, count) in totals.items()}
        return loads, ratings

    def _eldercare_plan_dispatch(self):
        """Choose a provider for each order, as ``({order id: (provider,
        contract line)}, orders without any eligible provider)``.

        The rule (readme/USAGE.md): among the providers with an active contract
        on the scheduled day covering the service item and the elder's
        community, not refused or late on this order and below the capacity of
        their contract, the order's own provider (a preferred one) is kept if
        eligible; otherwise the lowest contracted price wins, then the best
        average satisfaction (last 365 days, unrated = 3), then the fewest open
        orders, then the oldest provider record. Orders of one batch count in
        the load as they are planned.
        """
        Contract = self.env["eldercare.provider.contract"]
        cache = {}
        candidates = {}
        for order in self:
            candidates[order.id] = Contract._find_eligible_cached(
                cache,
                order.product_id,
                order.community_id,
                order.date_scheduled.date(),
                order.company_id,
            )
        provider_ids = {pid for options in candidates.values() for pid in options}
        loads, ratings = self._eldercare_provider_stats(provider_ids)
        plan = {}
        failed = self.browse()
        for order in self.sorted(lambda o: (o.date_scheduled, o.id)):
            refused = set(order.refused_provider_ids.ids)
            options = [
                (pid, line)
                for pid, line in candidates[order.id].items()
                if pid not in refused
                and not (
                    line.contract_id.max_open_orders
                    and loads.get(pid, 0) >= line.contract_id.max_open_orders
                )
            ]
            if not options:
                failed |= order
                continue
            preferred = order.provider_id.commercial_partner_id.id
            chosen = next((o for o in options if o[0] == preferred), None)
            if not chosen:
                chosen = min(
                    options,
                    key=lambda o: (
                        round(o[1].price_unit, 2),
                        -ratings.get(o[0], NEUTRAL_RATING),
                        loads.get(o[0], 0),
                        o[0],
                    ),
                )
            loads[chosen[0]] = loads.get(chosen[0], 0) + 1
            plan[order.id] = (chosen[1].contract_id.provider_id, chosen[1])
        return plan, failed

    def _eldercare_apply_dispatch(self, plan):
        """Assign the orders of ``plan`` (see _eldercare_plan_dispatch), one
        write per provider and price, then tell the providers."""
        groups = {}
        for order in self:
            provider, line = plan[order.id]
            groups.setdefault((provider.id, line.price_unit), []).append(order.id)
        now = fields.Datetime.now()
        for (provider_id, price), ids in groups.items():
            orders = self.browse(ids)
            vals = {
                "provider_id": provider_id,
                "price_unit": price,
                "state": "assigned",
                "date_assigned": now,
                "late_warned": False,
                "escalated": False,
            }
            orders.write(vals)
            for order in orders:
                if order.staff_id.user_id and not order.user_id:
                    order.user_id = order.staff_id.user_id
        self._eldercare_after_assign()
        return self

    def _eldercare_can_auto_dispatch(self):
        """Orders the center dispatches without an operator: recurring and
        manual ones marked so, not meant for the center's own staff."""
        return self.filtered(
            lambda o: o.state == "draft"
            and o.auto_dispatch
            and o.origin in AUTO_DISPATCH_ORIGINS
            and not (o.user_id and not o.user_id.share)
        )

    @api.model
    def _eldercare_dispatch_days(self):
        param = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("eldercare_base.dispatch_days_ahead", DEFAULT_DISPATCH_DAYS)
        )
        try:
            return max(int(param), 0)
        except ValueError:
            return DEFAULT_DISPATCH_DAYS

    def _eldercare_dispatch_auto(self):
        """Dispatch the automatic drafts due within the dispatch window; the
        coordinator of an order no provider can take is told (once).
        Returns the dispatched orders."""
        now = fields.Datetime.now()
        limit = now + timedelta(days=self._eldercare_dispatch_days())
        # an order of a past day (a service recorded afterwards) is not sent
        since = now - timedelta(days=1)
        todo = self._eldercare_can_auto_dispatch().filtered(
            lambda o: since <= o.date_scheduled <= limit
        )
        if not todo:
            return self.browse()
        todo = todo.sudo()
        plan, failed = todo._eldercare_plan_dispatch()
        dispatched = (todo - failed)._eldercare_apply_dispatch(plan)
        failed._eldercare_notify_no_provider()
        return dispatched.with_env(self.env)

    def _eldercare_coordinators(self):
        """{order id: user to warn}: the coordinator, else the elder's
        community worker, else the company's first supervisor."""
        supervisors = None
        result = {}
        for order in self:
            users = order.coordinator_id or order.elder_id.sudo().worker_id
            if not users:
                if supervisors is None:
                    supervisors = self._eldercare_supervisors()
                users = supervisors.filtered(
                    lambda u, company=order.company_id: company in u.company_ids
                ).sorted("id")[:1]
            result[order.id] = users
        return result

    @api.model
    def _eldercare_supervisors(self):
        group = self.env.ref(
            "eldercare_base.group_eldercare_supervisor", raise_if_not_found=False
        )
        if not group:
            return self.env["res.users"]
        return group.sudo().users.filtered(lambda u: u.active and not u.share)

    def _eldercare_schedule_for(self, users_by_order, activity, summary, note):
        """One activity of type ``activity`` (xmlid) per order and user of
        ``users_by_order``, due today, created in one batch."""
        activity_type = self.env.ref(activity)
        model_id = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        vals_list = [
            {
                "res_model_id": model_id,
                "res_id": order.id,
                "activity_type_id": activity_type.id,
                "automated": True,
                "user_id": user.id,
                "date_deadline": today,
                "summary": summary(order),
                "note": escape(note(order)),
            }
            for order in self
            for user in users_by_order.get(order.id) or ()
        ]
        if vals_list:
            # a big batch (a cron run) is not mailed activity by activity: the
            # users find them in their activity menu
            self.env["mail.activity"].sudo().with_context(
                mail_activity_quick_update=len(vals_list) > BATCH_NOTIFY_LIMIT
            ).create(vals_list)

    def _eldercare_notify_no_provider(self):
        """Tell the coordinator that nobody can take the order (once while an
        open dispatch to-do exists)."""
        todo_type = self.env.ref(ACTIVITY_DISPATCH, raise_if_not_found=False)
        orders = self.filtered(
            lambda o: todo_type not in o.sudo().activity_ids.activity_type_id
        ).sudo()
        if not orders:
            return
        orders._eldercare_schedule_for(
            orders._eldercare_coordinators(),
            ACTIVITY_DISPATCH,
            lambda o: o.env._("Find a provider for %(order)s", order=o.name),
            lambda o: o._no_provider_message()
            + (
                " "
                + o.env._(
                    "Refused or late: %(providers)s.",
                    providers=", ".join(o.refused_provider_ids.mapped("name")),
                )
                if o.refused_provider_ids
                else ""
            ),
        )

    def _propose_provider(self):
        """(provider, contract line) the dispatch rule chooses for this order.

        (None, None) when no provider is eligible.
        """
        self.ensure_one()
        plan, _failed = self._eldercare_plan_dispatch()
        return plan.get(self.id, (None, None))

    def action_propose_provider(self):
        for order in self.filtered(lambda o: o.state == "draft"):
            provider, line = order._propose_provider()
            if not provider:
                raise UserError(order._no_provider_message())
            order.write({"provider_id": provider.id, "price_unit": line.price_unit})
        return True

    def _no_provider_message(self):
        return _(
            "No provider has an active contract covering “%(item)s” in %(community)s."
            " Check the provider contracts and their service areas.",
            item=self.product_id.display_name,
            community=self.community_id.complete_name
            or _("the elder's community (none set)"),
        )

    def _prepare_assign_vals(self):
        self.ensure_one()
        vals = {
            "state": "assigned",
            "date_assigned": fields.Datetime.now(),
            "late_warned": False,
            "escalated": False,
        }
        if not self.provider_id:
            provider, line = self._propose_provider()
            if not provider:
                raise UserError(self._no_provider_message())
            vals.update(provider_id=provider.id, price_unit=line.price_unit)
        if self.staff_id.user_id and not self.user_id:
            vals["user_id"] = self.staff_id.user_id.id
        return vals

    def action_assign(self):
        self._check_transition("assign")
        for order in self:
            order.write(order._prepare_assign_vals())
            # the contract may have expired since the provider was chosen
            order._check_provider_eligible()
        self._eldercare_after_assign()
        return True

    def _eldercare_after_assign(self):
        """Close the dispatch to-dos, tell the assignee and the provider."""
        self.sudo().activity_unlink([ACTIVITY_DISPATCH])
        for order in self:
            # the SMS addon extends _notify_assignee to text the provider
            order._notify_assignee()
        self.filtered("provider_id")._eldercare_notify_provider_dispatch()

    def action_assign_in_house(self):
        """Assign the order to the center's own staff: its internal assignee
        (``user_id``, e.g. the elder's community worker), no provider and no
        contract involved."""
        self._check_transition("assign")
        for order in self:
            if order.provider_id or not order.user_id or order.user_id.share:
                raise UserError(
                    _(
                        "%(order)s cannot be done in house: it needs an internal "
                        "assignee and no provider.",
                        order=order.name,
                    )
                )
        self.write({"state": "assigned", "date_assigned": fields.Datetime.now()})
        self.sudo().activity_unlink([ACTIVITY_DISPATCH])
        for order in self:
            order._notify_assignee()
        return True

    def _notify_assignee(self):
        self.ensure_one()
        user = self.user_id
        if self.sudo().activity_ids:
            self.activity_unlink([ACTIVITY_TODO])
        if not user:
            return
        if user.share:
            # portal users have no activities: notify them by message
            self.message_subscribe(partner_ids=user.partner_id.ids)
            self.message_post(
                body=_(
                    "Work order %(order)s has been assigned to you.", order=self.name
                ),
                partner_ids=user.partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            return
        self.activity_schedule(
            ACTIVITY_TODO,
            date_deadline=(self.date_deadline or self.date_scheduled).date(),
            summary=_(
                "%(item)s for %(elder)s",
                item=self.product_id.name,
                elder=self.elder_id.name,
            ),
            user_id=user.id,
        )

    # ------------------------------------------------- provider notification
    def _eldercare_provider_recipients(self):
        """Partners to tell about these orders: the provider company itself
        (its e-mail), its portal users and the logins of its staff."""
        provider_group = self.env.ref(
            "eldercare_base.group_eldercare_provider", raise_if_not_found=False
        )
        providers = self.provider_id.commercial_partner_id
        partners = providers
        if providers:
            users = (
                self.env["res.users"]
                .sudo()
                .search(
                    [
                        ("partner_id.commercial_partner_id", "in", providers.ids),
                        ("share", "=", True),
                    ]
                )
            )
            if provider_group:
                users = users.filtered(lambda u: provider_group in u.groups_id)
            staff_users = (
                self.env["eldercare.provider.staff"]
                .sudo()
                .search(
                    [("provider_id", "in", providers.ids), ("user_id", "!=", False)]
                )
                .user_id
            )
            partners |= (users | staff_users | self.staff_id.user_id).partner_id
        return partners

    def _eldercare_provider_portal_url(self):
        """Where the provider handles the order (the portal addon sets it)."""
        self.ensure_one()
        return False

    def _eldercare_dispatch_message(self):
        self.ensure_one()
        when = (
            fields.Datetime.to_string(
                fields.Datetime.context_timestamp(self, self.date_scheduled)
            )[:16]
            if self.date_scheduled
            else _("to be agreed with the elder")
        )
        accept = (
            fields.Datetime.to_string(
                fields.Datetime.context_timestamp(self, self.accept_deadline)
            )[:16]
            if self.accept_deadline
            else "-"
        )
        body = _(
            "New work order %(order)s for %(provider)s: %(service)s, time: "
            "%(when)s, community: %(community)s. Please accept or decline it "
            "before %(accept)s.",
            order=self.name,
            provider=self.provider_id.display_name,
            service=self.product_id.display_name,
            when=when,
            community=self.community_id.name or "-",
            accept=accept,
        )
        url = self._eldercare_provider_portal_url()
        if url:
            return Markup("%s %s") % (
                body,
                Markup('<a href="%s">%s</a>') % (url, url),
            )
        return escape(body)

    def _eldercare_notify_provider_dispatch(self):
        """Tell each provider about its newly assigned orders: one message on
        the order (followers: the provider's users) by e-mail; a provider with
        many orders in one batch gets one summary message instead of one per
        order. (The SMS addon texts them from _notify_assignee.)"""
        for orders in (
            self.sudo().grouped(lambda o: o.provider_id.commercial_partner_id).values()
        ):
            partners = orders._eldercare_provider_recipients()
            assignees = orders.user_id.filtered("share").partner_id
            if len(orders) == 1:
                order = orders
                order.message_subscribe(partner_ids=(partners - order.provider_id).ids)
                order.message_post(
                    body=order._eldercare_dispatch_message(),
                    partner_ids=(partners - assignees).ids,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                )
            else:
                provider = orders.provider_id.commercial_partner_id
                lines = Markup("").join(
                    Markup("<li>%s</li>") % order._eldercare_dispatch_message()
                    for order in orders.sorted("date_scheduled")
                )
                provider.message_notify(
                    partner_ids=partners.ids,
                    subject=_(
                        "%(count)s new work orders for %(provider)s",
                        count=len(orders),
                        provider=provider.name,
                    ),
                    body=Markup("<ul>%s</ul>") % lines,
                )

    # ------------------------------------------------------------- provider
    def action_accept(self):
        self._check_transition("accept")
        res = self._eldercare_write_as_center(
            {
                "state": "accepted",
                "decline_reason": False,
                "date_accepted": fields.Datetime.now(),
                "late_warned": False,
            }
        )
        self.sudo().activity_unlink([ACTIVITY_LATE])
        return res

    def action_decline(self, reason=False):
        self._check_transition("decline")
        if not reason:
            return {
                "type": "ir.actions.act_window",
                "name": _("Decline Work Order"),
                "res_model": "eldercare.work.order.decline",
                "view_mode": "form",
                "target": "new",
                "context": {"default_work_order_ids": self.ids},
            }
        self.check_access("write")
        for order in self:
            order.message_post(
                body=_(
                    "%(provider)s declined the work order: %(reason)s",
                    provider=order.provider_id.name or _("The provider"),
                    reason=reason,
                )
            )
        # sudo: a provider declining loses access to the order it hands back
        self.sudo()._eldercare_hand_back(reason)
        return True

    def _eldercare_hand_back(self, reason):
        """Back to draft without provider, the provider remembered as refused;
        automatic orders go straight to the next provider."""
        self.activity_unlink([ACTIVITY_TODO, ACTIVITY_LATE])
        for order in self:
            refused = order.provider_id.commercial_partner_id
            order.write(
                {
                    "state": "draft",
                    "decline_reason": reason,
                    "provider_id": False,
                    "staff_id": False,
                    "user_id": order.user_id.id if not order.user_id.share else False,
                    "date_assigned": False,
                    "late_warned": False,
                    "refused_provider_ids": [fields.Command.link(refused.id)]
                    if refused
                    else [],
                }
            )
        auto = self._eldercare_can_auto_dispatch()
        if auto:
            plan, failed = auto._eldercare_plan_dispatch()
            redispatched = (auto - failed)._eldercare_apply_dispatch(plan)
            for order in redispatched:
                order.message_post(
                    body=_(
                        "Dispatched again, to %(provider)s.",
                        provider=order.provider_id.name,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
            failed._eldercare_notify_no_provider()
        # orders dispatched by an operator (household, alert): the operator
        # chooses the next provider
        (self - auto)._eldercare_notify_no_provider()

    def action_start(self):
        self._check_transition("start")
        res = self._eldercare_write_as_center(
            {"state": "in_progress", "date_started": fields.Datetime.now()}
        )
        self.sudo().activity_unlink([ACTIVITY_LATE])
        return res

    def action_done(self):
        """The provider reports the work done: a claim, verified next."""
        self._check_transition("done")
        self._eldercare_write_as_center(
            {"state": "done", "date_end": fields.Datetime.now()}
        )
        # sudo: providers (portal) have no access to activities
        orders = self.sudo()
        orders.activity_feedback([ACTIVITY_TODO], feedback=_("Work order done."))
        orders.activity_unlink([ACTIVITY_LATE])
        orders._eldercare_after_done()
        return True

    # --------------------------------------------------------- verification
    def _eldercare_evidence_missing(self):
        """What is missing for the evidence to verify the order by itself."""
        self.ensure_one()
        missing = []
        photos = (
            self.env["ir.attachment"]
            .sudo()
            .search_count(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "=", self.id),
                    ("mimetype", "=like", "image/%"),
                ]
            )
        )
        if not photos:
            missing.append(_("a photo of the work"))
        if not (
            self.date_started and self.date_end and self.date_end > self.date_started
        ):
            missing.append(_("the start and end times"))
        if not self.evidence_pin_ok:
            missing.append(_("the elder's PIN"))
        return missing

    def _eldercare_after_done(self):
        """Verify at once what the evidence proves; ask the coordinator for the
        rest (for survey orders: to call the elder back)."""
        by_evidence = self.filtered(
            lambda o: o.verification_method == "evidence"
            and not o._eldercare_evidence_missing()
        )
        by_evidence._eldercare_mark_verified("evidence")
        rest = self - by_evidence
        if not rest:
            return

        def note(order):
            if order.verification_method == "survey":
                return order.env._(
                    "Call %(elder)s back and record their answer: it verifies "
                    "the order.",
                    elder=order.elder_id.name,
                )
            if order.verification_method == "evidence":
                return order.env._(
                    "The evidence is incomplete (missing: %(missing)s): check the "
                    "work with the elder, then verify the order.",
                    missing=", ".join(order._eldercare_evidence_missing()),
                )
            return order.env._(
                "%(provider)s reports the work done: check it with the elder, "
                "then verify the order (only verified orders are billed).",
                provider=order.provider_id.name or order.env._("The assignee"),
            )

        rest._eldercare_schedule_for(
            rest._eldercare_coordinators(),
            ACTIVITY_VERIFY,
            lambda o: o.env._("Verify %(order)s", order=o.name),
            note,
        )

    def _eldercare_mark_verified(self, via):
        if not self:
            return
        self.sudo().write(
            {
                "state": "verified",
                "verified_via": via,
                "verified_user_id": self.env.user.id if via == "coordinator" else False,
                "date_verified": fields.Datetime.now(),
            }
        )
        labels = dict(VERIFICATION_METHODS)
        for order in self.sudo():
            order.activity_feedback(
                [ACTIVITY_VERIFY],
                feedback=_("Verified: %(how)s", how=labels[via]),
            )
            if via != "coordinator":
                order.message_post(
                    body=_("Verified: %(how)s.", how=labels[via]),
                    subtype_xmlid="mail.mt_note",
                )

    def action_verify(self):
        self._check_transition("verify")
        self._eldercare_mark_verified("coordinator")
        return True

    def action_reopen(self):
        """The coordinator does not accept the provider's claim: back to the
        provider, in progress."""
        self._check_transition("reopen")
        self.write({"state": "in_progress", "date_end": False})
        self.sudo().activity_unlink([ACTIVITY_VERIFY])
        for order in self:
            order.message_post(
                body=_(
                    "The center did not accept the work as done: %(order)s is in "
                    "progress again.",
                    order=order.name,
                ),
                partner_ids=order._eldercare_provider_recipients().ids
                if order.provider_id
                else [],
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        return True

    def action_cancel(self):
        self._check_transition("cancel")
        self.activity_unlink(
            [ACTIVITY_TODO, ACTIVITY_DISPATCH, ACTIVITY_LATE, ACTIVITY_ESCALATION]
        )
        return self.write({"state": "cancel"})

    def action_reset_draft(self):
        self._check_transition("reset_draft")
        return self.write({"state": "draft", "date_end": False})

    # ------------------------------------------------------------------ cron
    @api.model
    def _cron_dispatch_and_deadlines(self):
        """Dispatch the automatic drafts coming into the window, warn the
        coordinators of slow providers, re-dispatch what was not accepted in
        time, escalate what is late to start or overdue. Idempotent."""
        now = fields.Datetime.now()
        window = now + timedelta(days=self._eldercare_dispatch_days())
        drafts = self.search(
            [
                ("state", "=", "draft"),
                ("auto_dispatch", "=", True),
                ("origin", "in", AUTO_DISPATCH_ORIGINS),
                ("date_scheduled", "<=", window),
                ("date_scheduled", ">=", now - timedelta(days=1)),
            ]
        )
        dispatched = drafts._eldercare_dispatch_auto()
        assigned = self.search(
            [("state", "=", "assigned"), ("accept_deadline", "<=", now)]
        )
        accepted = self.search(
            [("state", "=", "accepted"), ("start_deadline", "<=", now)]
        )
        overdue = self.search(
            [
                ("state", "in", OPEN_STATES),
                ("date_deadline", "<=", now),
                ("escalated", "=", False),
            ]
        )
        late_accept = assigned.filtered(
            lambda o: o.date_assigned
            and now >= o.accept_deadline + (o.accept_deadline - o.date_assigned)
        )
        late_start = accepted.filtered(
            lambda o: now >= o.start_deadline + (o.start_deadline - o.date_scheduled)
        )
        (assigned | accepted).filtered(
            lambda o: not o.late_warned
        )._eldercare_warn_slow()
        late_accept._eldercare_take_back_late()
        (late_start | overdue).filtered(lambda o: not o.escalated)._eldercare_escalate()
        return {
            "dispatched": len(dispatched),
            "warned": len((assigned | accepted).filtered("late_warned")),
            "redispatched": len(late_accept),
            "escalated": len((late_start | overdue).filtered("escalated")),
        }

    def _eldercare_warn_slow(self):
        orders = self.sudo()
        if not orders:
            return

        def note(order):
            if order.state == "assigned":
                return order.env._(
                    "%(provider)s has not accepted %(order)s yet (due %(due)s).",
                    provider=order.provider_id.name,
                    order=order.name,
                    due=fields.Datetime.to_string(
                        fields.Datetime.context_timestamp(order, order.accept_deadline)
                    )[:16],
                )
            return order.env._(
                "%(provider)s has not started %(order)s yet (due %(due)s).",
                provider=order.provider_id.name,
                order=order.name,
                due=fields.Datetime.to_string(
                    fields.Datetime.context_timestamp(order, order.start_deadline)
                )[:16],
            )

        orders._eldercare_schedule_for(
            orders._eldercare_coordinators(),
            ACTIVITY_LATE,
            lambda o: o.env._("Provider slow: %(order)s", order=o.name),
            note,
        )
        orders.write({"late_warned": True})

    def _eldercare_take_back_late(self):
        """Not accepted after twice the time to accept: the provider is
        counted as late, the order goes to the next one; the supervisors are
        told when nobody is left."""
        orders = self.sudo()
        for order in orders:
            order.message_post(
                body=_(
                    "%(provider)s did not accept in time: the order is taken back.",
                    provider=order.provider_id.name,
                ),
                partner_ids=order._eldercare_provider_recipients().ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        for order in orders:
            order._eldercare_hand_back(
                _(
                    "No acceptance from %(provider)s within %(hours)s hours.",
                    provider=order.provider_id.name,
                    hours=f"{2 * order.product_id.eldercare_accept_hours:g}",
                )
            )
        orders.filtered(lambda o: o.state == "draft")._eldercare_escalate()

    def _eldercare_escalate(self):
        orders = self.sudo()
        if not orders:
            return
        supervisors = self._eldercare_supervisors()
        orders._eldercare_schedule_for(
            {
                order.id: supervisors.filtered(
                    lambda u, company=order.company_id: company in u.company_ids
                )
                for order in orders
            },
            ACTIVITY_ESCALATION,
            lambda o: o.env._("Late work order %(order)s", order=o.name),
            lambda o: o.env._(
                "%(order)s (%(item)s for %(elder)s) is %(state)s and late: " "%(why)s",
                order=o.name,
                item=o.product_id.name,
                elder=o.elder_id.name,
                state=dict(o._fields["state"]._description_selection(o.env))[o.state],
                why=o._eldercare_late_reason(),
            ),
        )
        orders.write({"escalated": True})
        for order in orders:
            order.message_post(
                body=_("Late: escalated to the supervisors."),
                subtype_xmlid="mail.mt_note",
            )

    def _eldercare_late_reason(self):
        self.ensure_one()
        now = fields.Datetime.now()
        if self.date_deadline and self.date_deadline <= now:
            return _("its deadline has passed.")
        if self.state == "accepted":
            return _("the provider has not started the work.")
        if self.state == "draft":
            return _("no provider accepted it in time and no other one is left.")
        return _("the provider has not accepted it.")
