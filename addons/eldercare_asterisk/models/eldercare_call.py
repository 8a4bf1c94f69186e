from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.eldercare_emergency.models.eldercare_alert import (
    TARGET_60 as ANSWER_TARGET_60,
)
from odoo.addons.eldercare_emergency.models.eldercare_alert import (
    TARGET_180 as ANSWER_TARGET_180,
)


class EldercareCall(models.Model):
    _name = "eldercare.call"
    _inherit = ["eldercare.operator.push.mixin"]
    _description = "Telephone Call"
    _order = "started_at desc, id desc"
    _rec_names_search = ["caller_number", "dialed_number", "linkedid", "elder_id"]

    linkedid = fields.Char(
        "Asterisk Call ID",
        required=True,
        index=True,
        readonly=True,
        copy=False,
        help="Asterisk linkedid: the same for every channel of one call.",
    )
    uniqueid = fields.Char("First Channel ID", readonly=True, copy=False)
    channel = fields.Char(readonly=True)
    direction = fields.Selection(
        [("inbound", "Inbound"), ("outbound", "Outbound"), ("internal", "Internal")],
        required=True,
        default="inbound",
        readonly=True,
    )
    simulated = fields.Boolean(
        readonly=True, help="Training call started with 'Simulate a call'."
    )
    caller_number = fields.Char(readonly=True, help="Caller ID as the PBX sent it.")
    caller_number_e164 = fields.Char(
        "Caller Number (normalised)", index="btree_not_null", readonly=True
    )
    caller_name = fields.Char(readonly=True)
    dialed_number = fields.Char(
        readonly=True, help="Number called by the operator (outbound calls)."
    )
    elder_id = fields.Many2one("res.partner", index="btree_not_null", readonly=True)
    did = fields.Char("Line Number", readonly=True)
    line_id = fields.Many2one("eldercare.pbx.line", readonly=True)
    line_type = fields.Selection(
        related="line_id.line_type", store=True, precompute=True
    )
    route = fields.Selection(
        [
            ("emergency", "Emergency queue"),
            ("ivr", "Voice menu"),
            ("operator", "Service queue"),
            ("request", "Service request"),
            ("statement", "Statement"),
            ("fallback", "Fallback"),
            ("invalid", "Invalid choice"),
        ],
        readonly=True,
    )
    queue = fields.Char(readonly=True)
    ivr_choices = fields.Char("Keys Pressed", readonly=True)
    started_at = fields.Datetime(
        "Started", default=fields.Datetime.now, required=True, readonly=True
    )
    queued_at = fields.Datetime(
        "Queued",
        readonly=True,
        help="When the call entered an operator queue (emergency or service).",
    )
    answered_at = fields.Datetime("Answered", readonly=True)
    ended_at = fields.Datetime("Ended", readonly=True)
    ring_seconds = fields.Integer(
        "Waiting Time (s)",
        compute="_compute_durations",
        store=True,
        precompute=True,
        aggregator="avg",
        help="Seconds from the call being queued for the operators (for calls "
        "without queue: from its start) to an operator answering, or to the "
        "hang-up when nobody answered.",
    )
    talk_seconds = fields.Integer(
        "Talk Time (s)",
        compute="_compute_durations",
        store=True,
        precompute=True,
        aggregator="sum",
    )
    offered = fields.Boolean(
        "Offered to Operators",
        compute="_compute_answer_stats",
        store=True,
        precompute=True,
        help="Inbound call that was queued for an operator: these calls count "
        "in the answer-time report.",
    )
    answered_60 = fields.Boolean(
        "Answered within 60 s",
        compute="_compute_answer_stats",
        store=True,
        precompute=True,
    )
    answered_180 = fields.Boolean(
        "Answered within 180 s",
        compute="_compute_answer_stats",
        store=True,
        precompute=True,
    )
    answered_60_rate = fields.Float(
        "% Answered ≤ 60 s",
        compute="_compute_answer_stats",
        store=True,
        precompute=True,
        aggregator="avg",
        digits=(5, 1),
        help="Average over offered calls = share answered within 60 seconds. "
        "Telecare target: 97.5%.",
    )
    answered_180_rate = fields.Float(
        "% Answered ≤ 180 s",
        compute="_compute_answer_stats",
        store=True,
        precompute=True,
        aggregator="avg",
        digits=(5, 1),
        help="Average over offered calls = share answered within 180 seconds. "
        "Telecare target: 99%.",
    )
    disposition = fields.Selection(
        [
            ("in_progress", "In progress"),
            ("answered", "Answered"),
            ("self_service", "Handled by the voice menu"),
            ("abandoned", "Caller hung up"),
            ("no_answer", "No answer"),
            ("busy", "Busy"),
            ("failed", "Failed"),
        ],
        default="in_progress",
        readonly=True,
    )
    hangup_cause = fields.Char(readonly=True)
    dial_status = fields.Char(
        readonly=True, help="Asterisk DialStatus of the last dial (outbound calls)."
    )
    operator_id = fields.Many2one(
        "res.users", "Answered by", index="btree_not_null", readonly=True
    )
    operator_channel = fields.Char(readonly=True)
    initiated_by_id = fields.Many2one(
        "res.users", "Started by", readonly=True, help="Operator who clicked to call."
    )
    popup_user_ids = fields.Many2many(
        "res.users",
        "eldercare_call_popup_user_rel",
        "call_id",
        "user_id",
        string="Elder File Shown To",
        readonly=True,
    )
    alert_id = fields.Many2one("eldercare.alert", index="btree_not_null", readonly=True)
    request_ref = fields.Reference(
        selection="_selection_request_ref", string="Service Request", readonly=True
    )
    work_order_id = fields.Many2one(
        "eldercare.work.order", compute="_compute_work_order_id"
    )
    note = fields.Text()
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    _sql_constraints = [
        ("linkedid_uniq", "unique(linkedid)", "This call is already logged."),
    ]

    def write(self, vals):
        # the log is written by the phone system; people only add notes
        if (
            not self.env.su
            and set(vals) - {"note"}
            and not self.env.user.has_group("eldercare_base.group_eldercare_admin")
        ):
            raise AccessError(
                _(
                    "The call log is kept by the phone system: only notes can be "
                    "changed."
                )
            )
        return super().write(vals)

    @api.model
    def _selection_request_ref(self):
        """What a call can have led to; glue addons (household) add theirs."""
        return [("eldercare.work.order", self.env["eldercare.work.order"]._description)]

    @api.depends("started_at", "queued_at", "answered_at", "ended_at")
    def _compute_durations(self):
        for call in self:
            start = call.queued_at or call.started_at
            if start and call.answered_at:
                call.ring_seconds = max(0, (call.answered_at - start).total_seconds())
            elif start and call.ended_at:
                call.ring_seconds = max(0, (call.ended_at - start).total_seconds())
            else:
                call.ring_seconds = 0
            if call.answered_at and call.ended_at:
                call.talk_seconds = max(
                    0, (call.ended_at - call.answered_at).total_seconds()
                )
            else:
                call.talk_seconds = 0

    @api.depends("direction", "queue", "answered_at", "ring_seconds", "simulated")
    def _compute_answer_stats(self):
        for call in self:
            call.offered = bool(
                call.direction == "inbound" and call.queue and not call.simulated
            )
            answered = bool(call.answered_at)
            call.answered_60 = answered and call.ring_seconds <= 60
            call.answered_180 = answered and call.ring_seconds <= 180
            call.answered_60_rate = 100.0 if call.answered_60 else 0.0
            call.answered_180_rate = 100.0 if call.answered_180 else 0.0

    def _compute_work_order_id(self):
        for call in self:
            order = call.alert_id.work_order_id if call.alert_id else False
            ref = call.request_ref
            if not order and ref:
                if ref._name == "eldercare.work.order":
                    order = ref
                elif "work_order_id" in ref._fields:
                    order = ref.work_order_id
                elif "work_order_ids" in ref._fields:
                    order = ref.work_order_ids[:1]
            call.work_order_id = order

    @api.depends("direction", "caller_number", "dialed_number", "elder_id")
    def _compute_display_name(self):
        for call in self:
            if call.direction == "outbound":
                party = call.elder_id.name or call.dialed_number or ""
                call.display_name = _("Call to %s", party) if party else _("Call")
            else:
                party = call.elder_id.name or call.caller_number or _("unknown caller")
                call.display_name = _("Call from %s", party)

    def _popup_payload(self):
        self.ensure_one()
        alert = self.alert_id
        return {
            "call": {
                "id": self.id,
                "linkedid": self.linkedid,
                "caller_number": self.caller_number or "",
                "did": self.did or "",
                "line_type": self.line_type or "",
                "route": self.route or "",
                "queue": self.queue or "",
            },
            "elder": self.elder_id._eldercare_elder_card() if self.elder_id else False,
            "elder_action": self._elder_form_action() if self.elder_id else False,
            "alert": {"id": alert.id, "name": alert.display_name, "state": alert.state}
            if alert
            else False,
        }

    def eldercare_popup_payload(self):
        """The payload of the call popup (also pushed by the bus)."""
        self.ensure_one()
        self.check_access("read")
        return self.sudo()._popup_payload()

    def _elder_form_action(self):
        view = self.env.ref(
            "eldercare_base.res_partner_view_form_elder", raise_if_not_found=False
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.elder_id.id,
            "views": [[view.id if view else False, "form"]],
            "target": "current",
        }

    def _send_operator_popup(self, user):
        """Show the elder file to ``user`` while their phone rings. Emergency
        calls reuse the alert popup (confirm / dispatch buttons); other calls
        of a known elder get the call popup."""
        self.ensure_one()
        if self.alert_id:
            self.alert_id._send_popup(user)
        elif self.elder_id:
            # in the user's language, only to a user of the call's company
            self._eldercare_bus_push(
                user, "eldercare_call_popup", lambda call: call._popup_payload()
            )
        else:
            return False
        self.popup_user_ids = [Command.link(user.id)]
        return True

    @api.model
    def _answer_targets(self):
        return {"within_60": ANSWER_TARGET_60, "within_180": ANSWER_TARGET_180}

    def action_open_elder(self):
        self.ensure_one()
        return self._elder_form_action()

    def action_call_back(self):
        """Call the caller back from the call log."""
        self.ensure_one()
        number = (
            self.caller_number if self.direction != "outbound" else (self.dialed_number)
        )
        return self.env["eldercare.pbx"].click_to_call(
            number, elder=self.elder_id, alert=self.alert_id
        )
