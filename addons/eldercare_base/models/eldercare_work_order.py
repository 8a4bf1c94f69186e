import logging

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

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
    "cancel": ({"draft", "assigned", "accepted", "in_progress"}, "cancel"),
    "reset_draft": ({"cancel"}, "draft"),
}
OPEN_STATES = ("draft", "assigned", "accepted", "in_progress")
# fields a provider (portal) user may change on its own work orders
PORTAL_WRITABLE = {
    "state",
    "staff_id",
    "user_id",
    "date_end",
    "decline_reason",
    "feedback",
    "provider_note",
}


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

    _sql_constraints = [
        (
            "need_date_uniq",
            "unique(need_id, date_scheduled)",
            "A recurring need already has a work order at this date and time.",
        ),
        ("quantity_positive", "CHECK(quantity > 0)", "The quantity must be positive."),
    ]

    # ---------------------------------------------------------------- computes
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
            forbidden = set(vals) - PORTAL_WRITABLE
            if forbidden:
                raise AccessError(
                    _(
                        "Providers can only update the progress of their work "
                        "orders, not: %(fields)s.",
                        fields=", ".join(sorted(forbidden)),
                    )
                )
        return super().write(vals)

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
            action in ("assign", "verify", "cancel", "reset_draft")
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
            "cancel": _("cancelled"),
            "reset_draft": _("reset to draft"),
        }[action]

    def _propose_provider(self):
        """(provider, contract line) of the cheapest eligible provider.

        (None, None) when no provider is eligible.
        """
        self.ensure_one()
        eligible = self.env["eldercare.provider.contract"]._find_eligible(
            self.product_id,
            self.community_id,
            self.date_scheduled.date(),
            self.company_id,
        )
        return eligible[0] if eligible else (None, None)

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
        vals = {"state": "assigned"}
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
            order._notify_assignee()
        return True

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
        self.write({"state": "assigned"})
        for order in self:
            order._notify_assignee()
        return True

    def _notify_assignee(self):
        self.ensure_one()
        user = self.user_id
        self.activity_unlink(["eldercare_base.mail_activity_type_work_order"])
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
            "eldercare_base.mail_activity_type_work_order",
            date_deadline=(self.date_deadline or self.date_scheduled).date(),
            summary=_(
                "%(item)s for %(elder)s",
                item=self.product_id.name,
                elder=self.elder_id.name,
            ),
            user_id=user.id,
        )

    def action_accept(self):
        self._check_transition("accept")
        return self.write({"state": "accepted", "decline_reason": False})

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
        for order in self:
            order.message_post(
                body=_(
                    "%(provider)s declined the work order: %(reason)s",
                    provider=order.provider_id.name or _("The provider"),
                    reason=reason,
                )
            )
        self.check_access("write")
        self.sudo().activity_unlink(["eldercare_base.mail_activity_type_work_order"])
        # sudo: a provider declining loses access to the order it hands back
        self.sudo().write(
            {
                "state": "draft",
                "decline_reason": reason,
                "provider_id": False,
                "staff_id": False,
                "user_id": False,
            }
        )
        return True

    def action_start(self):
        self._check_transition("start")
        return self.write({"state": "in_progress"})

    def action_done(self):
        self._check_transition("done")
        self.write({"state": "done", "date_end": fields.Datetime.now()})
        # sudo: providers (portal) have no access to activities
        self.sudo().activity_feedback(
            ["eldercare_base.mail_activity_type_work_order"],
            feedback=_("Work order done."),
        )
        return True

    def action_verify(self):
        self._check_transition("verify")
        return self.write({"state": "verified"})

    def action_cancel(self):
        self._check_transition("cancel")
        self.activity_unlink(["eldercare_base.mail_activity_type_work_order"])
        return self.write({"state": "cancel"})

    def action_reset_draft(self):
        self._check_transition("reset_draft")
        return self.write({"state": "draft", "date_end": False})
