import logging

from markupsafe import Markup, escape

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

SATISFACTION_SELECTION = [
    ("1", "1 - Very dissatisfied"),
    ("2", "2 - Dissatisfied"),
    ("3", "3 - Acceptable"),
    ("4", "4 - Satisfied"),
    ("5", "5 - Very satisfied"),
]

CHANNEL_SELECTION = [
    ("phone_key", "Phone Service Key"),
    ("ivr", "IVR Menu"),
    ("operator", "Operator"),
    ("portal", "Portal"),
]

# Work order states meaning "the provider still owes the visit".
WO_OPEN_STATES = ("draft", "assigned", "accepted", "in_progress")
WO_DONE_STATES = ("done", "verified")


class EldercareServiceRequest(models.Model):
    _name = "eldercare.service.request"
    _description = "Household Service Request"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "partner_id", "caller_name", "caller_number"]

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/"
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users",
        string="Operator",
        default=lambda self: self.env.user if not self.env.user.share else False,
        domain="[('share', '=', False)]",
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Elder",
        domain="[('is_elder', '=', True)]",
        tracking=True,
        index=True,
        help="The elder on file. Leave empty for a caller who is not registered "
        "and capture name, phone and address instead.",
    )
    caller_name = fields.Char(
        help="Name given by a caller who is not on file.",
    )
    caller_number = fields.Char(help="Number the request came from (caller id).")
    phone = fields.Char(
        compute="_compute_requester_contact",
        store=True,
        readonly=False,
        help="Number the provider calls to arrange the visit.",
    )
    address = fields.Text(
        compute="_compute_requester_contact",
        store=True,
        readonly=False,
        help="Where the service takes place.",
    )
    community_id = fields.Many2one(
        "eldercare.area",
        compute="_compute_requester_contact",
        store=True,
        readonly=False,
        domain="[('level', '=', 'community')]",
        help="Used to find the providers whose contract covers the requester.",
    )
    requester_display = fields.Char(
        string="Requester", compute="_compute_requester_display"
    )
    product_id = fields.Many2one(
        "product.product",
        string="Service",
        domain="[('is_eldercare_service', '=', True)]",
        tracking=True,
    )
    service_key = fields.Char(
        help="Phone key pressed by the caller, when the request came by phone."
    )
    channel = fields.Selection(
        CHANNEL_SELECTION, required=True, default="operator", tracking=True
    )
    call_linkedid = fields.Char(
        string="Call Id",
        copy=False,
        index=True,
        help="Asterisk linkedid of the call that created the request.",
    )
    date_preferred = fields.Datetime(string="Preferred Time", tracking=True)
    note = fields.Text(string="Notes")
    state = fields.Selection(
        [
            ("new", "New"),
            ("quoted", "Quoted"),
            ("scheduled", "Scheduled"),
            ("done", "Done"),
            ("cancel", "Cancelled"),
        ],
        required=True,
        default="new",
        tracking=True,
        copy=False,
    )
    proposal_ids = fields.One2many(
        "eldercare.service.request.proposal",
        "request_id",
        string="Provider Proposals",
        copy=False,
    )
    provider_id = fields.Many2one(
        "res.partner",
        domain="[('is_eldercare_provider', '=', True)]",
        tracking=True,
        copy=False,
    )
    contract_line_id = fields.Many2one(
        "eldercare.provider.contract.line",
        copy=False,
        readonly=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    price_estimate = fields.Monetary(
        compute="_compute_price_estimate",
        store=True,
        tracking=True,
        help="Committed price of the chosen provider's contract, or of the "
        "cheapest proposal while no provider has been chosen.",
    )
    work_order_ids = fields.One2many(
        "eldercare.work.order", "request_id", string="Work Orders", copy=False
    )
    work_order_id = fields.Many2one(
        "eldercare.work.order",
        string="Current Work Order",
        compute="_compute_work_order_id",
    )
    work_order_count = fields.Integer(compute="_compute_work_order_id")
    satisfaction = fields.Selection(
        SATISFACTION_SELECTION, tracking=True, copy=False, readonly=True
    )
    satisfaction_feedback = fields.Text(copy=False, readonly=True)
    satisfaction_date = fields.Datetime(copy=False, readonly=True)
    satisfaction_user_id = fields.Many2one(
        "res.users", string="Recorded By", copy=False, readonly=True
    )

    # ------------------------------------------------------------------
    # computes
    # ------------------------------------------------------------------
    @api.depends("partner_id", "caller_number")
    def _compute_requester_contact(self):
        for req in self:
            elder = req.partner_id
            if elder:
                req.address = self._format_partner_address(elder)
                req.phone = (
                    elder.mobile
                    or elder.phone
                    or elder["home_phone"]
                    or req.caller_number
                )
                req.community_id = elder.community_id
            else:
                req.phone = req.phone or req.caller_number
                req.address = req.address
                req.community_id = req.community_id

    @api.model
    def _format_partner_address(self, partner):
        text = partner._display_address(without_company=True) or ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return "\n".join(lines) or False

    @api.depends("partner_id", "caller_name", "caller_number")
    def _compute_requester_display(self):
        for req in self:
            req.requester_display = (
                req.partner_id.name
                or req.caller_name
                or req.caller_number
                or self.env._("Unknown caller")
            )

    @api.depends("contract_line_id", "proposal_ids.price_unit", "proposal_ids.sequence")
    def _compute_price_estimate(self):
        for req in self:
            if req.contract_line_id:
                req.price_estimate = req.contract_line_id.price_unit
                continue
            priced = req.proposal_ids.filtered(lambda p: not p.price_missing)
            req.price_estimate = priced[:1].price_unit if priced else 0.0

    @api.depends("work_order_ids.state")
    def _compute_work_order_id(self):
        for req in self:
            orders = req.work_order_ids.sorted("id", reverse=True)
            live = orders.filtered(lambda wo: wo.state != "cancel")
            req.work_order_id = (live or orders)[:1]
            req.work_order_count = len(orders)

    @api.depends("name", "partner_id", "caller_name", "product_id")
    def _compute_display_name(self):
        for req in self:
            who = req.partner_id.name or req.caller_name or req.caller_number
            parts = [req.name, who, req.product_id.name]
            req.display_name = " - ".join(p for p in parts if p)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self.env["ir.sequence"]._eldercare_fill_names(
            "eldercare.service.request", vals_list
        )
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_find_providers(self):
        """(Re)compute the provider proposals, cheapest first."""
        for req in self:
            req._match_providers()
        return True

    def action_cancel(self):
        for req in self:
            if req.state == "done":
                raise UserError(
                    self.env._(
                        "Request %(name)s is already done and cannot be cancelled.",
                        name=req.name,
                    )
                )
        # cancel the request first so that cancelling its orders does not
        # send it back to "quoted"
        self.write({"state": "cancel"})
        open_orders = self.work_order_ids.filtered(
            lambda wo: wo.state in WO_OPEN_STATES
        )
        if open_orders:
            open_orders.action_cancel()
        return True

    def action_reset_new(self):
        self.filtered(lambda r: r.state == "cancel").write(
            {"state": "new", "provider_id": False, "contract_line_id": False}
        )
        return True

    def action_view_work_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "eldercare_household.eldercare_work_order_household_action"
        )
        action["domain"] = [("request_id", "=", self.id)]
        action["context"] = {"default_request_id": self.id, "create": False}
        if len(self.work_order_ids) == 1:
            action.update(
                view_mode="form",
                views=[(False, "form")],
                res_id=self.work_order_ids.id,
            )
        return action

    def action_open_satisfaction_wizard(self):
        self.ensure_one()
        return self.work_order_id.action_open_satisfaction_wizard()

    # ------------------------------------------------------------------
    # matching and dispatch
    # ------------------------------------------------------------------
    def _check_matchable(self):
        self.ensure_one()
        if self.state not in ("new", "quoted"):
            raise UserError(
                self.env._(
                    "Providers can only be proposed for a new or quoted request "
                    "(%(name)s is %(state)s).",
                    name=self.name,
                    state=dict(self._fields["state"]._description_selection(self.env))[
                        self.state
                    ],
                )
            )
        missing = []
        if not self.product_id:
            missing.append(self.env._("the service"))
        if not self.community_id:
            missing.append(self.env._("the community"))
        if missing:
            raise UserError(
                self.env._(
                    "Set %(missing)s on request %(name)s before looking for "
                    "providers.",
                    missing=self.env._(" and ").join(missing),
                    name=self.name,
                )
            )

    def _match_date(self):
        self.ensure_one()
        if self.date_preferred:
            return fields.Date.context_today(self, self.date_preferred)
        return fields.Date.context_today(self)

    def _match_providers(self):
        """Replace the proposals by the providers eligible for this request."""
        self.ensure_one()
        self._check_matchable()
        eligible = self.env["eldercare.provider.contract"]._find_eligible(
            self.product_id, self.community_id, date=self._match_date()
        )
        commands = [Command.clear()]
        priced, unpriced = [], []
        no_staff = self.env["eldercare.provider.staff"]
        staff_by_provider = self._available_staff(
            self.env["res.partner"].union(*(provider for provider, _line in eligible))
        )
        for provider, line in eligible:
            staff = staff_by_provider.get(provider.id, no_staff)
            vals = self._prepare_proposal_vals(provider, line, staff)
            # a contract line is the price record: 0 on it means free, which
            # is dispatched like any price; only a missing line is "no price"
            (priced if vals["contract_line_id"] else unpriced).append(vals)
        # the contract helper already sorts by price; keep that order but put
        # the offers without a price record last, they cannot be dispatched.
        for seq, vals in enumerate(priced + unpriced, start=1):
            vals["sequence"] = seq
            commands.append(Command.create(vals))
        self.write({"proposal_ids": commands})
        if not eligible:
            self.message_post(
                body=self.env._(
                    "No provider has an active contract covering %(service)s in "
                    "%(community)s.",
                    service=self.product_id.display_name,
                    community=self.community_id.display_name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        if unpriced:
            self.message_post(
                body=self.env._(
                    "No committed price for %(service)s in the contract of: "
                    "%(providers)s. Fix the contract before dispatching to them.",
                    service=self.product_id.display_name,
                    providers=", ".join(v["provider_name"] for v in unpriced),
                ),
                subtype_xmlid="mail.mt_note",
            )
        if priced and self.state == "new":
            self.state = "quoted"
        return self.proposal_ids

    def _prepare_proposal_vals(self, provider, line, staff):
        return {
            "provider_id": provider.id,
            "provider_name": provider.display_name,
            "contract_line_id": line.id,
            "price_unit": line.price_unit or 0.0,
            "available_staff_ids": [Command.set(staff.ids)],
            "staff_id": staff[:1].id,
        }

    def _available_staff(self, providers):
        """Active, available staff able to do this service here, as
        {provider id: staff}, with one search for all ``providers``."""
        self.ensure_one()
        staff = (
            self.env["eldercare.provider.staff"]
            .sudo()
            .search(
                [
                    ("provider_id", "in", providers.ids),
                    ("available", "=", True),
                ]
            )
            .filtered(lambda member: member._covers(self.product_id, self.community_id))
            .with_env(self.env)
        )
        return {
            provider.id: members
            for provider, members in staff.grouped("provider_id").items()
        }

    def _dispatch(self, proposal):
        """Create the work order for ``proposal`` and notify the provider."""
        self.ensure_one()
        if self.state not in ("new", "quoted"):
            raise UserError(
                self.env._(
                    "Request %(name)s already has a provider working on it.",
                    name=self.name,
                )
            )
        if proposal.price_missing:
            raise UserError(
                self.env._(
                    "The contract of %(provider)s has no committed price for "
                    "%(service)s. Ask the contract manager to set the price on "
                    "the contract, then confirm again. The request %(name)s is "
                    "kept as it is.",
                    provider=proposal.provider_id.display_name,
                    service=self.product_id.display_name,
                    name=self.name,
                )
            )
        if not self.partner_id:
            raise UserError(
                self.env._(
                    "Request %(name)s has no elder on file. Register the caller "
                    "as an elder (or pick the existing file) before dispatching a "
                    "work order.",
                    name=self.name,
                )
            )
        vals = self._prepare_work_order_vals(proposal)
        # an order handed back by a provider (declined: draft, no provider) is
        # re-used for the next provider; its chatter keeps the history.
        work_order = self.work_order_ids.filtered(
            lambda wo: wo.state == "draft" and not wo.provider_id
        )[:1]
        if work_order:
            vals.pop("request_id", None)
            vals.update(decline_reason=False, staff_id=vals.get("staff_id", False))
            vals.setdefault("user_id", False)
            work_order.write(vals)
        else:
            work_order = self.env["eldercare.work.order"].create(vals)
        work_order.action_assign()
        self.write(
            {
                "provider_id": proposal.provider_id.id,
                "contract_line_id": proposal.contract_line_id.id,
                "state": "scheduled",
            }
        )
        self.message_post(
            body=Markup(
                self.env._(
                    "Dispatched to %(provider)s as work order %(order)s.",
                    provider=escape(proposal.provider_id.display_name),
                    order=Markup(
                        '<a href="#" data-oe-model="eldercare.work.order" '
                        'data-oe-id="%s">%s</a>'
                    )
                    % (work_order.id, escape(work_order.name)),
                )
            ),
            subtype_xmlid="mail.mt_note",
        )
        return work_order

    def _dispatch_to_provider(self, provider):
        """Confirm the proposal of ``provider`` (a partner or its id), matching
        first when needed. Used by the demo data and by automations."""
        self.ensure_one()
        if not isinstance(provider, models.BaseModel):
            provider = self.env["res.partner"].browse(int(provider))
        proposal = self.proposal_ids.filtered(lambda p: p.provider_id == provider)
        if not proposal:
            self._match_providers()
            proposal = self.proposal_ids.filtered(lambda p: p.provider_id == provider)
        if not proposal:
            raise UserError(
                self.env._(
                    "%(provider)s is not among the eligible providers of request "
                    "%(name)s.",
                    provider=provider.display_name,
                    name=self.name,
                )
            )
        return self._dispatch(proposal[:1])

    def _prepare_work_order_vals(self, proposal):
        self.ensure_one()
        staff = proposal.staff_id
        vals = {
            "elder_id": self.partner_id.id,
            "product_id": self.product_id.id,
            "provider_id": proposal.provider_id.id,
            "origin": "household",
            "request_id": self.id,
            "quantity": 1.0,
            "price_unit": proposal.price_unit,
            "company_id": self.company_id.id,
            "coordinator_id": self.user_id.id if not self.user_id.share else False,
        }
        if staff:
            vals["staff_id"] = staff.id
            if staff.user_id:
                vals["user_id"] = staff.user_id.id
        if self.date_preferred:
            vals["date_scheduled"] = self.date_preferred
        return vals

    def _sync_from_work_orders(self):
        """Follow the work orders: done when one is done, back to quoted when
        the provider declined or the order was cancelled."""
        for req in self:
            if req.state in ("done", "cancel"):
                continue
            orders = req.work_order_ids
            if any(wo.state in WO_DONE_STATES for wo in orders):
                req.state = "done"
                req._schedule_satisfaction_call()
                continue
            live = orders.filtered(
                lambda wo: wo.state in WO_OPEN_STATES and not wo._is_handed_back()
            )
            if live:
                if req.state != "scheduled":
                    req.state = "scheduled"
            elif req.state == "scheduled":
                if orders.sorted("id", reverse=True)[:1]._is_handed_back():
                    req.proposal_ids.filtered(
                        lambda p, provider=req.provider_id: p.provider_id == provider
                    ).write({"declined": True})
                req.write(
                    {"state": "quoted", "provider_id": False, "contract_line_id": False}
                )
                req._notify_operator_redispatch()

    def _schedule_satisfaction_call(self):
        """Remind the operator to call the elder about the finished service."""
        self.ensure_one()
        user = self.user_id
        if not user or user.share or self.satisfaction:
            return
        self.activity_schedule(
            "eldercare_household.mail_activity_satisfaction_call",
            user_id=user.id,
            note=self.env._(
                "Ask %(who)s how %(service)s went and record the satisfaction.",
                who=self.requester_display,
                service=self.product_id.display_name or "",
            ),
        )

    def action_register_elder(self):
        """Create the elder file of a caller who is not on file."""
        for req in self:
            if req.partner_id:
                continue
            if not req.caller_name:
                raise UserError(
                    self.env._(
                        "Type the caller's name on request %(name)s before "
                        "registering them.",
                        name=req.name,
                    )
                )
            elder = self.env["res.partner"].create(req._prepare_elder_vals())
            req.message_post(
                body=self.env._(
                    "Caller registered as elder %(elder)s.", elder=elder.name
                ),
                subtype_xmlid="mail.mt_note",
            )
            req.write(
                {
                    "partner_id": elder.id,
                    "address": req.address,
                    "community_id": req.community_id.id,
                    "phone": req.phone,
                }
            )
        return True

    def _prepare_elder_vals(self):
        self.ensure_one()
        vals = {
            "name": self.caller_name,
            "is_elder": True,
            "street": (self.address or "").replace("\n", " ") or False,
            "community_id": self.community_id.id,
            "mobile": self.phone or self.caller_number or False,
        }
        number = self.phone or self.caller_number
        Phone = self.env["eldercare.phone"].sudo()
        e164 = number and Phone._normalize_number(number)
        if e164 and not Phone.search_count([("number_e164", "=", e164)], limit=1):
            vals["elder_phone_ids"] = [
                Command.create({"number": number, "phone_type": "mobile"})
            ]
        return vals

    def _notify_operator_redispatch(self):
        self.ensure_one()
        order = self.work_order_ids.sorted("id", reverse=True)[:1]
        if order._is_handed_back():
            note = self.env._(
                "The provider declined work order %(order)s: %(reason)s. "
                "Choose another provider.",
                order=order.name,
                reason=order.decline_reason,
            )
        else:
            note = self.env._(
                "Work order %(order)s was cancelled. Choose another provider or "
                "cancel the request.",
                order=order.name,
            )
        self.message_post(body=note, subtype_xmlid="mail.mt_note")
        user = self.user_id
        if user and not user.share:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=user.id,
                summary=self.env._("Dispatch to another provider"),
                note=note,
            )

    # ------------------------------------------------------------------
    # telephony entry point (contract)
    # ------------------------------------------------------------------
    @api.model
    def _create_from_call(self, vals):
        """One request from a phone call; see :meth:`_eldercare_create_from_phone`."""
        return self._eldercare_create_from_phone([vals or {}])[:1]

    @api.model
    def _eldercare_create_from_phone(self, vals_list):
        """Create household requests made by phone (service key or voice menu).

        ``vals_list``: list of dicts, one per call, with
          ``caller_number`` (str), ``linkedid`` (str, the Asterisk linkedid:
          a second call with the same one returns the existing request),
          ``elder_id`` (int, optional: the elder the bridge identified, else
          found from the caller number), ``product_id`` (int, optional: the
          service chosen in the voice menu) and/or ``key`` (str: the phone
          service key pressed), ``channel`` ("ivr" or "phone_key"; default
          "ivr" when a ``product_id`` is given, else "phone_key").

        Each new request lands with a coordinator (the rule of
        :meth:`_eldercare_pick_coordinators`), who gets a call-back activity
        due today; it counts in :meth:`_eldercare_phone_counters` and, being
        the operator of the request, the coordinator gets its satisfaction
        follow-up call when the work is done. Never raises on bad input: an
        unknown key or caller still creates a request, with a note saying what
        is missing. Returns the requests in the order of ``vals_list``.
        """
        Partner = self.env["res.partner"]
        result = []
        new_vals, notes_by_index, linked = [], {}, {}
        for vals in vals_list or []:
            vals = dict(vals or {})
            linkedid = str(vals.get("linkedid") or "").strip()
            if linkedid in linked:
                result.append(linked[linkedid])
                continue
            if linkedid:
                existing = self.sudo().search(
                    [("call_linkedid", "=", linkedid)], limit=1
                )
                if existing:
                    result.append(existing)
                    continue
            caller = str(vals.get("caller_number") or "").strip()
            key = str(vals.get("key") or "").strip()
            product = self.env["product.product"]
            try:
                product = (
                    self.env["product.product"]
                    .sudo()
                    .browse(int(vals.get("product_id") or 0))
                    .exists()
                    .filtered("is_eldercare_service")
                )
            except (TypeError, ValueError):
                product = self.env["product.product"]
            channel = vals.get("channel")
            if channel not in ("ivr", "phone_key"):
                channel = "ivr" if product else "phone_key"
            if not product:
                product = self.env["eldercare.service.key"]._get_product_for_key(key)
            elder = Partner
            try:
                elder = Partner.browse(int(vals.get("elder_id") or 0)).exists()
            except (TypeError, ValueError):
                elder = Partner
            elder = elder.filtered("is_elder")
            if not elder and caller:
                elder = Partner._eldercare_find_elder_by_phone(caller)
            notes = []
            if not product:
                notes.append(
                    self.env._(
                        'Unknown service key "%(key)s": no service is configured '
                        "for it. Call back to ask what is needed.",
                        key=key or "-",
                    )
                )
            if not elder:
                notes.append(
                    self.env._(
                        "Caller %(number)s is not on file: capture name, phone and "
                        "address.",
                        number=caller or self.env._("(hidden number)"),
                    )
                )
            notes_by_index[len(new_vals)] = notes
            new_vals.append(
                {
                    "partner_id": elder[:1].id,
                    "caller_number": caller or False,
                    "service_key": key or False,
                    "product_id": product.id,
                    "channel": channel,
                    "call_linkedid": linkedid or False,
                    "note": "\n".join(notes) or False,
                    "user_id": False,
                }
            )
            result.append(len(new_vals) - 1)
            if linkedid:
                linked[linkedid] = len(new_vals) - 1
        if new_vals:
            coordinators = self._eldercare_pick_coordinators(len(new_vals))
            for vals, user in zip(new_vals, coordinators, strict=True):
                vals["user_id"] = user.id
            created = self.create(new_vals)
            for index, request in enumerate(created):
                notes = notes_by_index[index]
                if notes:
                    request.message_post(
                        body=Markup("<br/>").join(notes), subtype_xmlid="mail.mt_note"
                    )
                request._eldercare_schedule_phone_callback(notes)
                _logger.info(
                    "Service request %s created from call %s (key %r, elder %s), "
                    "coordinator %s",
                    request.name,
                    request.call_linkedid or "-",
                    request.service_key,
                    request.partner_id.id or "-",
                    request.user_id.login or "-",
                )
        else:
            created = self.browse()
        requests = self.browse()
        for item in result:
            requests |= created[item] if isinstance(item, int) else item
        # the same request twice (repeated linkedid): union keeps it once
        return requests.with_env(self.env)

    @api.model
    def _eldercare_pick_coordinators(self, count):
        """``count`` coordinators for new phone requests, one per request.

        Rule: the company's household coordinators when configured, else its
        operators (active internal users of the operator role); the one with
        the fewest open requests (new or quoted) goes first, ties to the
        lowest user id; each request given counts at once, so a batch is
        spread. No candidate at all: the requests stay without coordinator.
        """
        company = self.env.company
        users = company.sudo().eldercare_coordinator_ids.filtered(
            lambda u: u.active and not u.share
        )
        if not users:
            group = self.env.ref(
                "eldercare_base.group_eldercare_operator", raise_if_not_found=False
            )
            users = (group.sudo().users if group else self.env["res.users"]).filtered(
                lambda u: u.active
                and not u.share
                and not u._is_superuser()
                and company in u.company_ids
            )
        if not users:
            return [self.env["res.users"]] * count
        load = {
            user.id: n
            for user, n in self.sudo()._read_group(
                [("user_id", "in", users.ids), ("state", "in", ("new", "quoted"))],
                ["user_id"],
                ["__count"],
            )
        }
        picked = []
        for _i in range(count):
            user = min(users, key=lambda u: (load.get(u.id, 0), u.id))
            load[user.id] = load.get(user.id, 0) + 1
            picked.append(user)
        return picked

    def _eldercare_schedule_phone_callback(self, notes=None):
        self.ensure_one()
        if not self.user_id or self.user_id.share:
            return
        self.activity_schedule(
            "eldercare_household.mail_activity_phone_request",
            user_id=self.user_id.id,
            date_deadline=fields.Date.context_today(self),
            summary=self.env._(
                "Phone request: %(who)s, %(service)s",
                who=self.requester_display,
                service=self.product_id.display_name or self.env._("service unknown"),
            ),
            note="\n".join(notes or [])
            or self.env._(
                "Call back to agree the time, then find providers and dispatch."
            ),
        )

    @api.model
    def _eldercare_phone_counters(self):
        """Dashboard counters of the requests made by phone still to handle:
        ``{"phone_new": all of them, "phone_mine": the current user's}``."""
        domain = [("channel", "in", ("ivr", "phone_key")), ("state", "=", "new")]
        return {
            "phone_new": self.search_count(domain),
            "phone_mine": self.search_count(domain + [("user_id", "=", self.env.uid)]),
        }


class EldercareServiceRequestProposal(models.Model):
    _name = "eldercare.service.request.proposal"
    _description = "Household Service Provider Proposal"
    _order = "request_id, sequence, id"

    request_id = fields.Many2one(
        "eldercare.service.request", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(string="Rank", default=10)
    provider_id = fields.Many2one("res.partner", required=True)
    provider_name = fields.Char()
    contract_line_id = fields.Many2one(
        "eldercare.provider.contract.line", required=True
    )
    contract_id = fields.Many2one(
        related="contract_line_id.contract_id", string="Contract"
    )
    currency_id = fields.Many2one(related="request_id.currency_id")
    price_unit = fields.Monetary(
        string="Committed Price",
        help="Unit price committed in the provider's contract when the proposal "
        "was made.",
    )
    price_missing = fields.Boolean(compute="_compute_price_missing")
    available_staff_ids = fields.Many2many("eldercare.provider.staff")
    staff_id = fields.Many2one(
        "eldercare.provider.staff",
        string="Send",
        domain="[('id', 'in', available_staff_ids)]",
    )
    request_state = fields.Selection(related="request_id.state")
    declined = fields.Boolean(
        readonly=True, help="This provider already declined the request."
    )

    @api.depends("contract_line_id")
    def _compute_price_missing(self):
        # free (a contracted price of 0) is a price; missing is no price record
        for prop in self:
            prop.price_missing = not prop.contract_line_id

    def action_confirm(self):
        self.ensure_one()
        work_order = self.request_id._dispatch(self)
        return {
            "type": "ir.actions.act_window",
            "res_model": "eldercare.work.order",
            "res_id": work_order.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
