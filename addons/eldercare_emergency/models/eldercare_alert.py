import logging
from collections import defaultdict
from datetime import datetime, time, timedelta, timezone

import pytz
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

_logger = logging.getLogger(__name__)

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


def _to_utc_naive(value):
    """Parse a datetime or ISO string (optionally with offset) into naive UTC."""
    if not value:
        return False
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            return fields.Datetime.to_datetime(text)
    if isinstance(value, datetime) and value.tzinfo:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


class EldercareAlert(models.Model):
    _name = "eldercare.alert"
    _inherit = ["mail.thread", "mail.activity.mixin"]
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
    answer_seconds = fields.Float(
        string="Answer Time (s)",
        compute="_compute_durations",
        store=True,
        aggregator="avg",
        digits=(16, 1),
    )
    confirm_seconds = fields.Float(
        string="Confirm Time (s)",
        compute="_compute_durations",
        store=True,
        aggregator="avg",
        digits=(16, 1),
    )
    dispatch_seconds = fields.Float(
        string="Dispatch Time (s)",
        compute="_compute_durations",
        store=True,
        aggregator="avg",
        digits=(16, 1),
    )
    onsite_seconds = fields.Float(
        string="On Site Time (s)",
        compute="_compute_durations",
        store=True,
        aggregator="avg",
        digits=(16, 1),
    )
    resolve_seconds = fields.Float(
        string="Resolve Time (s)",
        compute="_compute_durations",
        store=True,
        aggregator="avg",
        digits=(16, 1),
    )
    close_seconds = fields.Float(
        string="Close Time (s)",
        compute="_compute_durations",
        store=True,
        aggregator="avg",
        digits=(16, 1),
    )
    answered_within_60 = fields.Boolean(
        string="Answered ≤ 60 s", compute="_compute_durations", store=True
    )
    answered_within_180 = fields.Boolean(
        string="Answered ≤ 180 s", compute="_compute_durations", store=True
    )
    answered_60_rate = fields.Float(
        string="% Answered ≤ 60 s",
        compute="_compute_durations",
        store=True,
        aggregator="avg",
        digits=(16, 1),
        help="Target: 97.5 % of alerts answered within 60 seconds.",
    )
    answered_180_rate = fields.Float(
        string="% Answered ≤ 180 s",
        compute="_compute_durations",
        store=True,
        aggregator="avg",
        digits=(16, 1),
        help="Target: 99 % of alerts answered within 180 seconds.",
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
            alert.answer_seconds = seconds(alert, alert.answered_at)
            alert.confirm_seconds = seconds(alert, alert.confirmed_at)
            alert.dispatch_seconds = seconds(alert, alert.dispatched_at)
            alert.onsite_seconds = seconds(alert, alert.onsite_at)
            alert.resolve_seconds = seconds(alert, alert.resolved_at)
            alert.close_seconds = seconds(alert, alert.closed_at)
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

    # ------------------------------------------------------------------ helpers
    @api.model
    def _eldercare_normalize(self, raw):
        # _normalize_number never raises: garbage, empty and None give False
        return self.env["eldercare.phone"]._normalize_number(raw) or False

    @api.model
    def _eldercare_find_elder(self, raw):
        # never raises on a bad number (empty recordset); a database error is
        # not hidden: the alert is then spooled by the bridge and raised again
        return self.env["res.partner"].sudo()._eldercare_find_elder_by_phone(raw)[:1]

    def _check_state(self, allowed, action_label):
        for alert in self:
            if alert.state not in allowed:
                raise UserError(
                    self.env._(
                        "%(action)s is not possible on alert %(alert)s in state "
                        "%(state)s.",
                        action=action_label,
                        alert=alert.name,
                        state=dict(
                            self._fields["state"]._description_selection(self.env)
                        )[alert.state],
                    )
                )

    def _is_supervisor(self):
        return self.env.user.has_group("eldercare_base.group_eldercare_supervisor")

    def _ensure_taken(self):
        """Take the alerts that nobody took yet; refuse if taken by someone else."""
        for alert in self:
            if not alert.operator_id:
                alert.action_take()
            elif alert.operator_id != self.env.user and not self._is_supervisor():
                raise UserError(
                    self.env._(
                        "Alert %(alert)s is being handled by %(user)s.",
                        alert=alert.name,
                        user=alert.operator_id.name,
                    )
                )

    @api.model
    def _eldercare_supervisors(self):
        group = self.env.ref(
            "eldercare_base.group_eldercare_supervisor", raise_if_not_found=False
        )
        if not group:
            return self.env["res.users"]
        return (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("groups_id", "in", group.ids),
                    ("share", "=", False),
                    ("id", "!=", self.env.ref("base.user_root").id),
                ]
            )
        )

    def _eldercare_assignees(self):
        self.ensure_one()
        users = self.work_order_id.user_id | self.responder_ids
        if not users:
            users = self.operator_id
        return users.filtered(lambda u: not u.share and u.active)

    # ------------------------------------------------------------------ actions
    def action_take(self, force=False):
        """The current operator takes the alert: others see "taken by X"."""
        now = fields.Datetime.now()
        for alert in self:
            if alert.state in ("closed", "false_alarm"):
                raise UserError(
                    self.env._("Alert %(alert)s is already finished.", alert=alert.name)
                )
            if alert.operator_id and alert.operator_id != self.env.user:
                if not force:
                    raise UserError(
                        self.env._(
                            "Alert %(alert)s is already taken by %(user)s.",
                            alert=alert.name,
                            user=alert.operator_id.name,
                        )
                    )
                if not self._is_supervisor():
                    raise UserError(
                        self.env._(
                            "Only a supervisor can take over an alert handled by "
                            "%(user)s.",
                            user=alert.operator_id.name,
                        )
                    )
            vals = {"operator_id": self.env.user.id}
            if not alert.taken_at:
                vals["taken_at"] = now
            if not alert.answered_at and alert._eldercare_answer_on_take():
                vals["answered_at"] = now
            alert._system_write(vals)
        return True

    def _eldercare_answer_on_take(self):
        """Hook: does Take also record the answer? Yes without a call log; the
        telephony addon answers "no" for an alert raised by a call (its answer
        is the real pickup of the call)."""
        self.ensure_one()
        return True

    def _system_write(self, vals):
        """Write evidence fields on the user's behalf after checking the user
        may write the alerts; the tracking keeps the user as the author."""
        self.check_access("write")
        return self.sudo().write(vals)

    def action_take_over(self):
        """Supervisor button: take over an alert taken by another operator."""
        return self.action_take(force=True)

    def action_call_back(self):
        """Call the elder back to confirm the alert.

        Hook: the telephony addon overrides this method (or
        ``_eldercare_call_back_action``) to originate the call. By default the
        alert moves to "confirming" and the elder's numbers are shown.
        """
        self._check_state(("new", "confirming"), self.env._("Calling back"))
        self._ensure_taken()
        self.filtered(lambda a: a.state == "new")._system_write({"state": "confirming"})
        return self._eldercare_call_back_action()

    def _eldercare_call_back_numbers(self):
        self.ensure_one()
        elder = self.elder_id.sudo()
        numbers = []
        if elder:
            for phone in elder.elder_phone_ids:
                label = dict(
                    phone._fields["phone_type"]._description_selection(self.env)
                ).get(phone.phone_type, "")
                numbers.append((label, phone.number))
            if elder.home_phone:
                numbers.append((self.env._("Home"), elder.home_phone))
            if elder.mobile:
                numbers.append((self.env._("Mobile"), elder.mobile))
        if self.caller_number:
            numbers.append((self.env._("Caller"), self.caller_number))
        seen, unique = set(), []
        for label, number in numbers:
            if number and number not in seen:
                seen.add(number)
                unique.append((label, number))
        return unique

    def _eldercare_call_back_action(self):
        self.ensure_one()
        numbers = self._eldercare_call_back_numbers()
        if numbers:
            message = " · ".join(f"{label}: {number}" for label, number in numbers)
        else:
            message = self.env._("No phone number on file.")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._(
                    "Call back %(who)s",
                    who=self.elder_id.name or self.caller_number or "",
                ),
                "message": message,
                "sticky": True,
                "type": "info",
            },
        }

    def action_confirm(self):
        """The operator confirmed the emergency is real."""
        self._check_state(("new", "confirming"), self.env._("Confirming"))
        self._ensure_taken()
        self._system_write(
            {"state": "confirmed", "confirmed_at": fields.Datetime.now()}
        )
        return True

    def action_false_alarm_wizard(self):
        self.ensure_one()
        self._check_state(
            ("new", "confirming", "confirmed"), self.env._("Marking as false alarm")
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("False Alarm"),
            "res_model": "eldercare.alert.false.alarm.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_alert_id": self.id},
        }

    def action_false_alarm(self, reason):
        """Cancel as false alarm; the alert is kept and reported."""
        if not (reason or "").strip():
            raise UserError(self.env._("A false alarm needs a reason."))
        self._check_state(
            ("new", "confirming", "confirmed"), self.env._("Marking as false alarm")
        )
        self._ensure_taken()
        self._system_write(
            {
                "state": "false_alarm",
                "false_alarm_reason": reason.strip(),
                "cancelled_at": fields.Datetime.now(),
            }
        )
        self._eldercare_clear_deadline_activities()
        return True

    def action_notify(self):
        """Notify relatives (priority order) and the community worker."""
        self._check_state(
            ("new", "confirming", "confirmed", "dispatched"),
            self.env._("Notifying relatives"),
        )
        for alert in self:
            alert._eldercare_notify()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Relatives notified"),
                "message": self.env._("See the alert's chatter for who to call."),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _eldercare_notify_relatives(self):
        """Relatives to notify, emergency contacts first then by priority."""
        self.ensure_one()
        relatives = self.elder_id.sudo().relative_ids
        return relatives.sorted(
            lambda r: (not r.is_emergency_contact, r.sequence, r.id)
        )

    def _eldercare_sms_provider_configured(self):
        """Hook: return True when an SMS provider is configured (none by default).

        No SMS is ever pretended: without a provider nothing is sent."""
        return False

    def _eldercare_send_sms(self, relatives):
        """Hook for an SMS provider addon. Returns the relatives texted."""
        return relatives.browse()

    def _eldercare_call_relatives(self, relatives):
        """Hook for the telephony addon: place outbound calls to the relatives.

        Returns the relatives for which a call was placed (none by default)."""
        return relatives.browse()

    def _eldercare_notify(self):
        self.ensure_one()
        if not self.elder_id:
            raise UserError(
                self.env._(
                    "Alert %(alert)s has no elder on file: identify the caller first.",
                    alert=self.name,
                )
            )
        elder = self.elder_id.sudo()
        relatives = self._eldercare_notify_relatives()
        called = self._eldercare_call_relatives(relatives)
        texted = relatives.browse()
        if self._eldercare_sms_provider_configured():
            texted = self._eldercare_send_sms(relatives)
        lines = []
        relations = dict(relatives._fields["relation"]._description_selection(self.env))
        for relative in relatives:
            extra = []
            if relative.is_emergency_contact:
                extra.append(self.env._("emergency contact"))
            if relative in called:
                extra.append(self.env._("called"))
            if relative in texted:
                extra.append(self.env._("SMS sent"))
            relation = relations.get(relative.relation, relative.relation or "")
            lines.append(
                f"{relative.name} ({relation}) {relative.phone or ''} "
                f"{relative.work_unit or ''}"
                + (f" [{', '.join(extra)}]" if extra else "")
            )
        notes = []
        if not lines:
            notes.append(self.env._("No relative on file."))
        if not texted:
            notes.append(self.env._("No SMS sent (no SMS provider configured)."))
        worker = elder.worker_id
        if worker:
            notes.append(
                self.env._("Community worker %(name)s informed.", name=worker.name)
            )
            self.activity_schedule(
                "eldercare_emergency.mail_activity_alert_notify",
                user_id=worker.id,
                summary=self.env._(
                    "Emergency alert for %(elder)s", elder=self.elder_id.name
                ),
                note=self.env._(
                    "%(type)s alert %(alert)s for %(elder)s. Please follow up.",
                    type=self.type_id.name,
                    alert=self.name,
                    elder=self.elder_id.name,
                ),
            )
        body = Markup("<p>%s</p><ol>%s</ol><p>%s</p>") % (
            self.env._("Relatives to notify, in order:"),
            Markup().join(Markup("<li>%s</li>") % line for line in lines),
            Markup("<br/>").join(notes),
        )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
        self._system_write({"notified_at": fields.Datetime.now()})

    def action_dispatch_wizard(self):
        self.ensure_one()
        self._check_dispatchable()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Dispatch"),
            "res_model": "eldercare.alert.dispatch.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_alert_id": self.id},
        }

    def _check_dispatchable(self):
        for alert in self:
            if alert.state in CLOSED_STATES:
                raise UserError(
                    self.env._(
                        "Alert %(alert)s is finished and cannot be dispatched again.",
                        alert=alert.name,
                    )
                )
        self._check_state(("confirmed", "dispatched"), self.env._("Dispatching"))

    def _prepare_work_order_vals(
        self, user=False, provider=False, staff=False, note=""
    ):
        self.ensure_one()
        product = self.env.ref("eldercare_base.product_service_emergency_followup")
        now = fields.Datetime.now()
        vals = {
            "elder_id": self.elder_id.id,
            "product_id": product.product_variant_id.id
            if product._name == "product.template"
            else product.id,
            "origin": "alert",
            "alert_id": self.id,
            "user_id": user.id if user else False,
            "provider_id": provider.id if provider else False,
            "staff_id": staff.id if staff else False,
            "date_scheduled": now,
            "date_deadline": max(self.deadline, now) if self.deadline else False,
            "description": note or False,
            "company_id": self.company_id.id,
        }
        return vals

    def _dispatch(self, user=False, provider=False, staff=False, note=""):
        """Create the follow-up work order and notify the assignee."""
        self.ensure_one()
        self._check_dispatchable()
        if not self.elder_id:
            raise UserError(
                self.env._("Identify the elder before dispatching alert %s.", self.name)
            )
        if staff and not provider:
            provider = staff.provider_id
        if staff and not user and staff.user_id:
            user = staff.user_id
        if not (user or provider):
            raise UserError(
                self.env._("Choose a community worker or a provider's staff.")
            )
        self._ensure_taken()
        order = (
            self.env["eldercare.work.order"]
            .sudo()
            .create(self._prepare_work_order_vals(user, provider, staff, note))
        )
        if provider:
            # the work order flow notifies the provider's staff (message for
            # portal users, activity for internal ones)
            order.action_assign()
            order.message_post(
                body=order._eldercare_alert_note(), subtype_xmlid="mail.mt_note"
            )
        else:
            # a community worker: in house, no provider contract involved; the
            # worker gets the urgent "go on site" to-do (_notify_assignee)
            order.action_assign_in_house()
        vals = {"work_order_id": order.id}
        if user:
            vals["responder_ids"] = [fields.Command.link(user.id)]
        if self.state != "dispatched":
            vals.update(state="dispatched", dispatched_at=fields.Datetime.now())
        self._system_write(vals)
        self.message_post(
            body=self.env._(
                "Dispatched: work order %(order)s assigned to %(who)s.",
                order=order.name,
                who=(staff or user or provider).display_name,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return order

    def action_on_site(self):
        self._check_state(("dispatched",), self.env._("Recording arrival on site"))
        self.filtered(lambda a: not a.onsite_at)._system_write(
            {"onsite_at": fields.Datetime.now()}
        )
        return True

    def action_resolve(self):
        self._check_state(("confirmed", "dispatched"), self.env._("Resolving"))
        for alert in self:
            if not (alert.result or "").strip():
                raise UserError(
                    self.env._(
                        "Record the result of alert %(alert)s before resolving it.",
                        alert=alert.name,
                    )
                )
        self._system_write({"state": "resolved", "resolved_at": fields.Datetime.now()})
        self._eldercare_clear_deadline_activities()
        return True

    def action_close(self):
        self._check_state(("resolved",), self.env._("Closing"))
        self._system_write({"state": "closed", "closed_at": fields.Datetime.now()})
        return True

    def action_open_work_orders(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Work Orders"),
            "res_model": "eldercare.work.order",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("alert_id", "=", self.id)],
            "context": {"default_alert_id": self.id, "default_origin": "alert"},
        }

    # ------------------------------------------------------------------ deadlines
    def _eldercare_clear_deadline_activities(self):
        self.activity_unlink(
            [
                "eldercare_emergency.mail_activity_alert_reminder",
                "eldercare_emergency.mail_activity_alert_escalation",
            ]
        )

    def _eldercare_check_deadlines(self, now=None):
        """Remind before the feedback deadline, escalate on breach (once each)."""
        now = now or fields.Datetime.now()
        todo = self.filtered(
            lambda a: a.state in OPEN_STATES
            and a.deadline
            and not (a.result or "").strip()
            and (
                (not a.escalated and a.deadline <= now)
                or (not a.reminder_sent and a.reminder_at and a.reminder_at <= now)
            )
        )
        if not todo:
            return
        # activities and flags are written as superuser-independent system work
        todo = todo.sudo().with_context(eldercare_no_deadline_check=True)
        supervisors = self._eldercare_supervisors()
        escalated = reminded = todo.browse()
        for alert in todo:
            elder = alert.elder_id.name or alert.caller_number or ""
            if not alert.escalated and alert.deadline <= now:
                for user in supervisors:
                    # written in the recipient's language, not the cron's
                    env = alert.with_context(lang=user.lang or "en_US").env
                    alert.activity_schedule(
                        "eldercare_emergency.mail_activity_alert_escalation",
                        user_id=user.id,
                        summary=env._(
                            "Overdue alert %(alert)s (%(elder)s)",
                            alert=alert.name,
                            elder=elder,
                        ),
                        note=env._(
                            "The feedback deadline of this %(type)s alert has passed "
                            "without a result.",
                            type=alert.type_id.with_env(env).name,
                        ),
                    )
                company_env = alert.with_context(
                    lang=alert.company_id.partner_id.lang or "en_US"
                ).env
                alert.message_post(
                    body=company_env._(
                        "Feedback deadline breached: escalated to the supervisor."
                    ),
                    subtype_xmlid="mail.mt_note",
                )
                escalated |= alert
            elif not alert.reminder_sent:
                users = alert._eldercare_assignees() | supervisors
                for user in users:
                    env = alert.with_context(lang=user.lang or "en_US").env
                    alert.activity_schedule(
                        "eldercare_emergency.mail_activity_alert_reminder",
                        user_id=user.id,
                        date_deadline=fields.Date.context_today(alert),
                        summary=env._(
                            "Deadline approaching: %(alert)s (%(elder)s)",
                            alert=alert.name,
                            elder=elder,
                        ),
                        note=env._(
                            "Feedback is due for this %(type)s alert; record the "
                            "result before the deadline.",
                            type=alert.type_id.with_env(env).name,
                        ),
                    )
                reminded |= alert
        escalated.write({"escalated": True, "is_overdue": True, "reminder_sent": True})
        reminded.write({"reminder_sent": True})
        (escalated | reminded)._broadcast_update()

    @api.model
    def _cron_check_deadlines(self):
        now = fields.Datetime.now()
        alerts = self.search(
            [
                ("state", "in", OPEN_STATES),
                ("deadline", "!=", False),
                "|",
                "&",
                ("escalated", "=", False),
                ("deadline", "<=", now),
                "&",
                ("reminder_sent", "=", False),
                ("reminder_at", "<=", now),
            ]
        )
        alerts._eldercare_check_deadlines(now)
        return True

    def _deadline_state(self, now=None):
        self.ensure_one()
        now = now or fields.Datetime.now()
        if self.state not in OPEN_STATES or not self.deadline:
            return "none"
        if self.is_overdue or self.deadline <= now:
            return "overdue"
        if self.reminder_at and self.reminder_at <= now:
            return "warning"
        return "ok"

    # ------------------------------------------------------------------ bus
    def _eldercare_alert_summary(self):
        self.ensure_one()
        alert = self.sudo()
        to_str = fields.Datetime.to_string
        states = dict(self._fields["state"]._description_selection(self.env))
        channels = dict(self._fields["channel"]._description_selection(self.env))
        return {
            "id": alert.id,
            "name": alert.name,
            "state": alert.state,
            "state_label": states.get(alert.state),
            "channel": alert.channel,
            "channel_label": channels.get(alert.channel),
            "type": {
                "id": alert.type_id.id,
                "name": alert.type_id.name,
                "code": alert.type_id.code,
            },
            "elder_id": alert.elder_id.id,
            "elder_name": alert.elder_id.name or False,
            "elder_age": alert.elder_id.age or False,
            "caller_number": alert.caller_number or False,
            "unknown_caller": alert.unknown_caller,
            "community": alert.community_id.name or False,
            "description": alert.description or False,
            "received_at": to_str(alert.received_at) if alert.received_at else False,
            "answered_at": to_str(alert.answered_at) if alert.answered_at else False,
            "deadline": to_str(alert.deadline) if alert.deadline else False,
            "reminder_at": to_str(alert.reminder_at) if alert.reminder_at else False,
            "deadline_state": alert._deadline_state(),
            "is_overdue": alert.is_overdue,
            "operator": {"id": alert.operator_id.id, "name": alert.operator_id.name}
            if alert.operator_id
            else False,
            "work_order": alert.work_order_id.name or False,
            "past_alert_count": alert.past_alert_count,
            "is_training": alert.is_training,
        }

    def _eldercare_elder_card(self):
        self.ensure_one()
        elder = self.elder_id.sudo()
        if not elder:
            return False
        if hasattr(elder, "_eldercare_elder_card"):
            card = elder._eldercare_elder_card()
        else:  # pragma: no cover - eldercare_base always provides it
            card = {"id": elder.id, "name": elder.name}
        card = dict(card)
        relations = dict(
            self.env["eldercare.relative"]
            ._fields["relation"]
            ._description_selection(self.env)
        )
        for relative in card.get("relatives") or []:
            relative["relation_label"] = relations.get(
                relative.get("relation"), relative.get("relation") or ""
            )
        card["past_alert_count"] = self.past_alert_count
        return card

    def _eldercare_popup_payload(self):
        self.ensure_one()
        return {
            "alert": self._eldercare_alert_summary(),
            "elder": self._eldercare_elder_card(),
        }

    def _users_by_lang(self, users):
        by_lang = defaultdict(lambda: self.env["res.users"].sudo())
        for user in users.sudo():
            by_lang[user.lang or "en_US"] |= user
        return by_lang.items()

    def _eldercare_bus_push(self, users, notification_type, payload_fn):
        """Send ``payload_fn(alert)`` to the users of the alert's company.

        The payload is built once per language of the recipients."""
        for lang, lang_users in self._users_by_lang(users):
            for alert in self.with_context(lang=lang):
                recipients = lang_users.filtered(
                    lambda u, a=alert: a.company_id in u.company_ids
                )
                if recipients:
                    recipients._bus_send(notification_type, payload_fn(alert))

    def _send_popup(self, users=None):
        """Push the alert popup to on-duty operators (or the given users).

        The payload is built in each recipient's language."""
        if users is None:
            users = self.env["res.users"]._eldercare_alert_recipients()
        self._eldercare_bus_push(
            users, "eldercare_alert_popup", lambda a: a._eldercare_popup_payload()
        )
        return True

    def _broadcast_update(self):
        """Tell every operator's dashboard/popup that an alert changed."""
        if not self:
            return
        self._eldercare_bus_push(
            self.env["res.users"]._eldercare_operator_users(),
            "eldercare_alert_update",
            lambda a: {"alert": a._eldercare_alert_summary()},
        )

    # ------------------------------------------------------------------ dashboard
    @api.model
    def get_dashboard_data(self):
        """Open alerts ordered by urgency plus counters, for the OWL dashboard."""
        now = fields.Datetime.now()
        alerts = self.search([("state", "in", OPEN_STATES)])
        summaries = [alert._eldercare_alert_summary() for alert in alerts]
        far = "9999-12-31 00:00:00"
        summaries.sort(
            key=lambda s: (
                s["state"] != "new",
                s["deadline_state"] != "overdue",
                s["deadline"] or far,
                s["received_at"] or far,
            )
        )
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        local_midnight = tz.localize(
            datetime.combine(fields.Date.context_today(self), time.min)
        )
        today_start = local_midnight.astimezone(pytz.utc).replace(tzinfo=None)
        today = self.search_count([("received_at", ">=", today_start)])
        false_today = self.search_count(
            [("received_at", ">=", today_start), ("state", "=", "false_alarm")]
        )
        counters = {
            "new": sum(1 for s in summaries if s["state"] == "new"),
            "in_progress": sum(1 for s in summaries if s["state"] != "new"),
            "overdue": sum(1 for s in summaries if s["deadline_state"] == "overdue"),
            "warning": sum(1 for s in summaries if s["deadline_state"] == "warning"),
            "mine": sum(
                1
                for s in summaries
                if s["operator"] and s["operator"]["id"] == self.env.uid
            ),
            "today": today,
            "false_alarm_today": false_today,
        }
        rates = self._eldercare_answer_rates(
            [("received_at", ">=", today_start), ("state", "!=", "false_alarm")]
        )
        return {
            "alerts": summaries,
            "counters": counters,
            "rates": rates,
            "server_time": fields.Datetime.to_string(now),
            "on_duty": self.env.user.eldercare_on_duty,
            "no_operator_on_duty": self.env[
                "res.users"
            ]._eldercare_no_operator_on_duty(),
            "uid": self.env.uid,
            "is_supervisor": self._is_supervisor(),
        }

    def get_popup_payload(self):
        """Full popup payload (alert + elder file) for the dashboard detail."""
        self.ensure_one()
        self.check_access("read")
        return self._eldercare_popup_payload()

    # ------------------------------------------------------------------ reports
    @api.model
    def _eldercare_answer_rates(self, domain=None):
        """Share of alerts answered within 60 s / 180 s vs. telecare targets."""
        # the report view leaves alerts still within their limit out (NULL)
        domain = [*(domain or []), ("company_id", "in", self.env.companies.ids)]
        [(count, within_60, within_180)] = (
            self.env["eldercare.alert.report"]
            .sudo()
            ._read_group(
                domain,
                [],
                ["__count", "answered_60_rate:avg", "answered_180_rate:avg"],
            )
        )
        return {
            "count": count,
            "within_60": round(within_60 or 0.0, 1),
            "within_180": round(within_180 or 0.0, 1),
            "target_60": TARGET_60,
            "target_180": TARGET_180,
        }
