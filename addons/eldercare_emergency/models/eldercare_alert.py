import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

# the operator push mixin must be in the registry before the alert inherits it
from . import eldercare_operator_push  # noqa: F401  # isort: skip

_logger = logging.getLogger(__name__)

# the response times of an alert: seconds from reception to each step; the
# alert stores them (0 for a step not reached), the response-time report
# computes them in SQL (NULL for a step not reached)
DURATIONS = {
    "answer_seconds": "answered_at",
    "confirm_seconds": "confirmed_at",
    "dispatch_seconds": "dispatched_at",
    "onsite_seconds": "onsite_at",
    "resolve_seconds": "resolved_at",
    "close_seconds": "closed_at",
}


def averaged_figure(string, **kwargs):
    """A figure of one alert that a group-by averages (times in seconds,
    rates in %), shown with one decimal."""
    return fields.Float(string=string, aggregator="avg", digits=(16, 1), **kwargs)


# fields computed (and stored) by _compute_durations
_BY_DURATIONS = {"compute": "_compute_durations", "store": True}

OPEN_STATES = ("new", "confirming", "confirmed", "dispatched")
CLOSED_STATES = ("resolved", "closed", "false_alarm")
# changes the other operators' dashboards must see at once
BROADCAST_FIELDS = {
    "state",
    "operator_id",
    "result",
    "is_overdue",
    "type_id",
    "elder_id",
}
# the evidence of what happened and when: written by the system only (the
# action methods, the telephony bridge), never by a user's own write; every
# change is tracked
EVIDENCE_FIELDS = {
    "received_at",
    "answered_at",
    "taken_at",
    "caller_number",
    "caller_number_e164",
    "call_linkedid",
    "did",
    "channel",
    "state",
    "confirmed_at",
    "notified_at",
    "dispatched_at",
    "onsite_at",
    "resolved_at",
    "closed_at",
    "cancelled_at",
}
SATISFACTION = [
    ("1", "Very dissatisfied"),
    ("2", "Dissatisfied"),
    ("3", "Neutral"),
    ("4", "Satisfied"),
    ("5", "Very satisfied"),
]
# Telecare answering targets shown in the reports (share of alerts answered
# within the given number of seconds).
TARGET_60 = 97.5
TARGET_180 = 99.0


class EldercareAlert(models.Model):
    _name = "eldercare.alert"
    _inherit = ["mail.thread", "mail.activity.mixin", "eldercare.operator.push.mixin"]
    _description = "Emergency Alert"
    _order = "received_at desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "elder_id.name", "caller_number"]

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="New"
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    elder_id = fields.Many2one(
        "res.partner",
        tracking=True,
        index=True,
        domain=[("is_elder", "=", True)],
        check_company=True,
    )
    unknown_caller = fields.Boolean(
        compute="_compute_unknown_caller",
        store=True,
        help="The calling number is not on file: the alert is raised anyway.",
    )
    caller_number = fields.Char(string="Reporter Number", tracking=True)
    caller_number_e164 = fields.Char(
        string="Reporter Number (E.164)", index=True, readonly=True
    )
    did = fields.Char(string="Dialled Number", tracking=True)
    received_at = fields.Datetime(
        required=True, default=fields.Datetime.now, tracking=True, index=True
    )
    channel = fields.Selection(
        [
            ("emergency_line", "Emergency Line"),
            ("ivr", "IVR"),
            ("manual", "Manual"),
            ("checkin", "Missed Check-in"),
        ],
        required=True,
        default="manual",
    )
    call_linkedid = fields.Char(
        string="Asterisk Call ID",
        copy=False,
        index=True,
        readonly=True,
        tracking=True,
        help="Asterisk linkedid of the call that raised the alert.",
    )
    type_id = fields.Many2one(
        "eldercare.alert.type",
        required=True,
        tracking=True,
        default=lambda self: self._default_type_id(),
    )
    type_code = fields.Char(related="type_id.code")
    description = fields.Text()
    is_training = fields.Boolean(
        string="Training",
        readonly=True,
        copy=False,
        index=True,
        help="Raised by a simulated call (training, demo): shown as training on "
        "every screen and left out of every figure.",
    )
    state = fields.Selection(
        [
            ("new", "New"),
            ("confirming", "Confirming"),
            ("confirmed", "Confirmed"),
            ("dispatched", "Dispatched"),
            ("resolved", "Resolved"),
            ("closed", "Closed"),
            ("false_alarm", "False Alarm"),
        ],
        required=True,
        default="new",
        tracking=True,
        index=True,
        copy=False,
    )
    operator_id = fields.Many2one("res.users", tracking=True, copy=False, index=True)
    responder_ids = fields.Many2many(
        "res.users",
        "eldercare_alert_responder_rel",
        "alert_id",
        "user_id",
        string="Responders",
        copy=False,
    )
    work_order_ids = fields.One2many(
        "eldercare.work.order", "alert_id", string="Work Orders", copy=False
    )
    work_order_id = fields.Many2one("eldercare.work.order", copy=False, tracking=True)
    result = fields.Text(tracking=True, copy=False)
    satisfaction = fields.Selection(SATISFACTION, tracking=True, copy=False)
    false_alarm_reason = fields.Text(tracking=True, copy=False)
    community_id = fields.Many2one(
        "eldercare.area",
        related="elder_id.community_id",
        store=True,
        string="Community",
    )
    # -- transition timestamps ----------------------------------------------
    answered_at = fields.Datetime(
        copy=False,
        tracking=True,
        readonly=True,
        help="When a person picked the call up (from the call log); for an alert "
        "without a call, when an operator took it.",
    )
    taken_at = fields.Datetime(
        copy=False,
        tracking=True,
        readonly=True,
        help="When an operator clicked Take on the dashboard or the popup.",
    )
    confirmed_at = fields.Datetime(copy=False, tracking=True, readonly=True)
    notified_at = fields.Datetime(copy=False, tracking=True, readonly=True)
    dispatched_at = fields.Datetime(copy=False, tracking=True, readonly=True)
    onsite_at = fields.Datetime(
        string="On Site At", copy=False, tracking=True, readonly=True
    )
    resolved_at = fields.Datetime(copy=False, tracking=True, readonly=True)
    closed_at = fields.Datetime(copy=False, tracking=True, readonly=True)
    cancelled_at = fields.Datetime(
        string="False Alarm At", copy=False, tracking=True, readonly=True
    )
    # -- durations (seconds, from reception) for reporting -------------------
    answer_seconds = averaged_figure("Answer Time (s)", **_BY_DURATIONS)
    confirm_seconds = averaged_figure("Confirm Time (s)", **_BY_DURATIONS)
    dispatch_seconds = averaged_figure("Dispatch Time (s)", **_BY_DURATIONS)
    onsite_seconds = averaged_figure("On Site Time (s)", **_BY_DURATIONS)
    resolve_seconds = averaged_figure("Resolve Time (s)", **_BY_DURATIONS)
    close_seconds = averaged_figure("Close Time (s)", **_BY_DURATIONS)
    answered_within_60 = fields.Boolean(string="Answered ≤ 60 s", **_BY_DURATIONS)
    answered_within_180 = fields.Boolean(string="Answered ≤ 180 s", **_BY_DURATIONS)
    answered_60_rate = averaged_figure(
        "% Answered ≤ 60 s",
        help="Target: 97.5 % of alerts answered within 60 seconds.",
        **_BY_DURATIONS,
    )
    answered_180_rate = averaged_figure(
        "% Answered ≤ 180 s",
        help="Target: 99 % of alerts answered within 180 seconds.",
        **_BY_DURATIONS,
    )
    # -- deadlines -----------------------------------------------------------
    deadline = fields.Datetime(
        string="Feedback Deadline",
        compute="_compute_deadline",
        store=True,
        tracking=True,
        index=True,
    )
    reminder_at = fields.Datetime(compute="_compute_deadline", store=True)
    reminder_sent = fields.Boolean(copy=False, readonly=True)
    escalated = fields.Boolean(copy=False, readonly=True)
    is_overdue = fields.Boolean(
        string="Overdue", copy=False, readonly=True, tracking=True, index=True
    )
    past_alert_count = fields.Integer(
        string="Past Alerts", compute="_compute_past_alert_count"
    )
    work_order_count = fields.Integer(compute="_compute_work_order_count")

    _sql_constraints = [
        (
            "call_linkedid_uniq",
            "unique(call_linkedid)",
            "This call already raised an alert: the same call can never raise two "
            "alerts.",
        ),
    ]

    # ------------------------------------------------------------------ defaults
    @api.model
    def _default_type_id(self):
        return self.env["eldercare.alert.type"].search(
            [("code", "=", "other")], limit=1
        ) or self.env["eldercare.alert.type"].search([], limit=1)

    # ------------------------------------------------------------------ computes
    @api.depends("elder_id")
    def _compute_unknown_caller(self):
        for alert in self:
            alert.unknown_caller = not alert.elder_id

    @api.depends(
        "received_at",
        "answered_at",
        "confirmed_at",
        "dispatched_at",
        "onsite_at",
        "resolved_at",
        "closed_at",
    )
    def _compute_durations(self):
        def seconds(alert, stamp):
            if not stamp or not alert.received_at:
                return 0.0
            return max((stamp - alert.received_at).total_seconds(), 0.0)

        for alert in self:
            for column, stamp in DURATIONS.items():
                alert[column] = seconds(alert, alert[stamp])
            answered = bool(alert.answered_at)
            alert.answered_within_60 = answered and alert.answer_seconds <= 60
            alert.answered_within_180 = answered and alert.answer_seconds <= 180
            alert.answered_60_rate = 100.0 if alert.answered_within_60 else 0.0
            alert.answered_180_rate = 100.0 if alert.answered_within_180 else 0.0

    @api.depends("received_at", "type_id.feedback_minutes", "type_id.reminder_minutes")
    def _compute_deadline(self):
        for alert in self:
            if not alert.received_at or not alert.type_id:
                alert.deadline = False
                alert.reminder_at = False
                continue
            deadline = alert.received_at + timedelta(
                minutes=alert.type_id.feedback_minutes
            )
            alert.deadline = deadline
            alert.reminder_at = deadline - timedelta(
                minutes=alert.type_id.reminder_minutes
            )

    @api.depends("elder_id")
    def _compute_past_alert_count(self):
        elders = self.elder_id
        counts = {}
        if elders:
            counts = dict(
                self.sudo()._read_group(
                    [("elder_id", "in", elders.ids)], ["elder_id"], ["__count"]
                )
            )
        for alert in self:
            # alerts of the same elder other than this one
            count = counts.get(alert.elder_id.sudo(), 0) if alert.elder_id else 0
            alert.past_alert_count = max(count - (1 if alert.id else 0), 0)

    @api.depends("work_order_ids")
    def _compute_work_order_count(self):
        for alert in self:
            alert.work_order_count = len(alert.work_order_ids)

    @api.depends("name", "elder_id", "caller_number")
    def _compute_display_name(self):
        for alert in self:
            who = alert.elder_id.name or alert.caller_number or self.env._("Unknown")
            alert.display_name = f"{alert.name} - {who}"

    # ------------------------------------------------------------------ CRUD
    @api.onchange("caller_number")
    def _onchange_caller_number(self):
        if self.caller_number and not self.elder_id:
            elder = self._eldercare_find_elder(self.caller_number)
            if elder:
                self.elder_id = elder

    @api.model_create_multi
    def create(self, vals_list):
        # an operator typing a manual alert is the one answering it
        manual_operator = (
            not self.env.su
            and self.env.user.has_group("eldercare_base.group_eldercare_operator")
            and self.env.user
        )
        self.env["ir.sequence"]._eldercare_fill_names(
            "eldercare.alert", vals_list, placeholder="New"
        )
        for vals in vals_list:
            if (
                manual_operator
                and vals.get("channel", "manual") == "manual"
                and not vals.get("operator_id")
            ):
                vals["operator_id"] = manual_operator.id
                vals.setdefault(
                    "answered_at", vals.get("received_at") or fields.Datetime.now()
                )
            if not vals.get("call_linkedid"):
                vals["call_linkedid"] = False
            if not vals.get("type_id") and vals.get("channel") == "emergency_line":
                emergency = self.env.ref(
                    "eldercare_emergency.alert_type_emergency_call",
                    raise_if_not_found=False,
                )
                if emergency:
                    vals["type_id"] = emergency.id
            caller = vals.get("caller_number")
            if caller and not vals.get("caller_number_e164"):
                vals["caller_number_e164"] = self._eldercare_normalize(caller)
        # callers not identified yet: one lookup for the whole batch
        unidentified = [
            v
            for v in vals_list
            if isinstance(v.get("caller_number"), str) and not v.get("elder_id")
        ]
        if unidentified:
            elders = (
                self.env["res.partner"]
                .sudo()
                ._eldercare_find_elders_by_phone(
                    [vals["caller_number"] for vals in unidentified]
                )
            )
            for vals in unidentified:
                if vals["caller_number"] in elders:
                    vals["elder_id"] = elders[vals["caller_number"]].id
        alerts = super().create(vals_list)
        if not self.env.context.get("eldercare_defer_decoration"):
            # typed by a person: decoration in the same transaction (the call
            # intake decorates after the rows are safe, see eldercare_alert_intake)
            alerts._eldercare_log_unknown_callers()
            alerts._send_popup()
        return alerts

    def _creation_message(self):
        """The creation note in the center's language, as one sentence (not
        the writer's language for half of it)."""
        self.ensure_one()
        lang = self.company_id.partner_id.lang or self.env.lang or "en_US"
        return super(EldercareAlert, self.with_context(lang=lang))._creation_message()

    def _eldercare_log_unknown_callers(self):
        unknown = self.filtered("unknown_caller")
        if unknown:  # one internal note each, written in one batch (bursts)
            unknown._message_log_batch(
                bodies={
                    alert.id: self.env._(
                        "Caller number %(number)s is not on file: alert raised "
                        "without an elder. Identify the caller when calling back.",
                        number=alert.caller_number or self.env._("(hidden)"),
                    )
                    for alert in unknown
                },
                message_type="comment",
            )

    def write(self, vals):
        evidence = EVIDENCE_FIELDS & set(vals)
        if evidence and not self.env.su:
            raise AccessError(
                self.env._(
                    "%(fields)s of an alert are recorded by the system (the call, "
                    "the Take, Confirm, Dispatch... buttons) and cannot be edited.",
                    fields=", ".join(
                        sorted(
                            self._fields[f]._description_string(self.env)
                            for f in evidence
                        )
                    ),
                )
            )
        res = super().write(vals)
        if self.env.context.get("eldercare_no_deadline_check"):
            return res
        if BROADCAST_FIELDS & set(vals):
            self._broadcast_update()
        self._eldercare_check_deadlines()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_alert(self):
        raise UserError(
            self.env._(
                "Alerts are never deleted: they are kept for reporting. Mark a "
                "mistaken alert as a false alarm with a reason instead."
            )
        )
