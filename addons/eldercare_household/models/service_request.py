from odoo import Command, api, fields, models
from odoo.exceptions import UserError

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
                req.address = elder._eldercare_address() or False
                req.phone = elder._eldercare_best_number() or req.caller_number
                req.community_id = elder.community_id
            else:
                req.phone = req.phone or req.caller_number
                req.address = req.address
                req.community_id = req.community_id

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
