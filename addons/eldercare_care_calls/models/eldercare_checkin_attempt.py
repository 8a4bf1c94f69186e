"""One elder's check-in of one day, and the calls that try to reach them.

Life of an attempt: ``planned`` (waits for ``next_call_at``) → ``calling`` (a
``eldercare.dial.request`` of purpose ``checkin`` is queued/dialling) → one of

* ``checked_in``: the elder pressed 1, or called in from their number inside
  the window (``via`` = inbound, no outbound call is placed);
* ``callback``: 2, a to-do activity for the elder's community worker (or an
  operator on duty) to call back;
* ``help``: 9, an emergency alert at once through the one intake
  (``eldercare.alert._raise_from_calls``, type ``emergency``);
* ``retry``: no answer, busy, no key: called again ``retry_minutes`` later,
  until ``max_tries`` calls; then ``missed``: a **Missed Check-in** alert
  (type ``missed_checkin``, its own deadline, cascade if the type says so).

Pacing: the attempts are fed to the dialer at its poll
(``eldercare.dial.request._take``): only as many due attempts become calls as
there are free automated channels, so the queue never floods and a responder
cascade (priority 90) always goes first (check-ins are priority 50).

A call the dialer lost (the bridge restarted and the call was gone) is placed
once more without counting as a try.
"""

import datetime
import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.eldercare_asterisk.models.eldercare_pbx import dialable

_logger = logging.getLogger(__name__)

CHECKIN_CONTEXT = "eldercare-dialer"
CHECKIN_EXTEN = "checkin"
CHECKIN_PRIORITY = 50
FINE_DIGIT = "1"
CALLBACK_DIGIT = "2"
HELP_DIGIT = "9"
STATES = [
    ("planned", "Planned"),
    ("calling", "Calling"),
    ("retry", "Will Retry"),
    ("checked_in", "Checked In"),
    ("callback", "Call Back Asked"),
    ("help", "Asked for Help"),
    ("missed", "Missed"),
    ("cancelled", "Cancelled"),
]
WAITING_STATES = ("planned", "retry")
OPEN_STATES = ("planned", "retry", "calling")
RESULTS = [
    ("fine", "I Am Fine (1)"),
    ("callback", "Call Me Back (2)"),
    ("help", "I Need Help (9)"),
    ("no_digit", "Answered, No Key"),
    ("no_answer", "No Answer"),
    ("busy", "Busy"),
    ("failed", "Failed"),
    ("lost", "Lost (dialer restarted)"),
    ("cancelled", "Cancelled"),
    ("inbound", "Elder Called In"),
    ("no_number", "No Number on File"),
]


class EldercareDialRequest(models.Model):
    _inherit = "eldercare.dial.request"

    purpose = fields.Selection(
        selection_add=[("checkin", "Daily Check-in")],
        ondelete={"checkin": "cascade"},
    )

    @api.model
    def _take(self):
        """Before the dialer takes calls, turn due check-ins into calls for
        the free automated channels."""
        self.env["eldercare.checkin.attempt"]._eldercare_feed_dialer()
        return super()._take()


class EldercareCheckinAttempt(models.Model):
    _name = "eldercare.checkin.attempt"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Daily Check-in"
    _order = "date desc, next_call_at, id"
    _rec_name = "elder_id"

    plan_id = fields.Many2one(
        "eldercare.checkin.plan", required=True, index=True, ondelete="cascade"
    )
    elder_id = fields.Many2one("res.partner", required=True, index=True)
    community_id = fields.Many2one(
        related="elder_id.community_id", store=True, index=True, string="Community"
    )
    worker_id = fields.Many2one(related="elder_id.worker_id")
    company_id = fields.Many2one("res.company", required=True, index=True)
    date = fields.Date(required=True, index=True)
    number = fields.Char("Number Called")
    state = fields.Selection(
        STATES, default="planned", required=True, index=True, readonly=True
    )
    result = fields.Selection(RESULTS, "Last Result", readonly=True)
    digit = fields.Char("Key", readonly=True)
    tries = fields.Integer("Calls Placed", readonly=True)
    max_tries = fields.Integer("Calls at Most", default=3)
    retry_minutes = fields.Integer("Retry After (min)", default=20)
    lost_retried = fields.Boolean(
        readonly=True, help="A call lost by a dialer restart was placed again."
    )
    window_start_at = fields.Datetime("Window From")
    window_end_at = fields.Datetime("Window Until")
    next_call_at = fields.Datetime("Next Call", index=True)
    request_id = fields.Many2one(
        "eldercare.dial.request", "Current Call", readonly=True, index="btree_not_null"
    )
    checked_in_at = fields.Datetime(readonly=True)
    via = fields.Selection(
        [("phone", "Check-in Call"), ("inbound", "Elder Called In")],
        readonly=True,
    )
    inbound_call_id = fields.Many2one("eldercare.call", readonly=True)
    alert_id = fields.Many2one("eldercare.alert", readonly=True)
    alert_state = fields.Selection(
        related="alert_id.state", string="Alert Status", store=True
    )
    compliance = fields.Float(
        "Checked In (%)",
        compute="_compute_compliance",
        store=True,
        aggregator="avg",
        help="100 when the elder checked in (key 1 or called in), else 0: its "
        "average is the compliance rate.",
    )
    count_missed = fields.Integer(
        "Missed", compute="_compute_compliance", store=True, aggregator="sum"
    )

    _sql_constraints = [
        ("plan_day_uniq", "unique(plan_id, date)", "One check-in per plan and day."),
    ]

    @api.depends("state")
    def _compute_compliance(self):
        for attempt in self:
            attempt.compliance = 100.0 if attempt.state == "checked_in" else 0.0
            attempt.count_missed = 1 if attempt.state == "missed" else 0

    # ------------------------------------------------------------ settings
    @api.model
    def _param_int(self, key, default):
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(f"eldercare_care_calls.{key}", default)
        )
        try:
            return int(value)
        except (TypeError, ValueError):
            return int(default)

    def _retry_delay(self):
        """Seconds until the next try: the plan's minutes, or the system
        parameter ``eldercare_care_calls.checkin_retry_seconds`` when set
        (training and tests)."""
        self.ensure_one()
        seconds = self._param_int("checkin_retry_seconds", 0)
        return seconds if seconds > 0 else self.retry_minutes * 60

    def _retry_timedelta(self):
        return datetime.timedelta(seconds=self._retry_delay())

    # ------------------------------------------------------------- dialing
    @api.model
    def _eldercare_feed_dialer(self):
        """Queue calls for the due check-ins, as many as the dialer has free
        automated channels (pacing stays the dialer's). SKIP LOCKED: two
        pollers never place the same check-in."""
        Request = self.env["eldercare.dial.request"].sudo()
        limit = Request._max_channels()
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT count(*) FROM eldercare_dial_request
             WHERE automated AND state IN ('queued', 'sent', 'answered')
            """
        )
        free = limit - self.env.cr.fetchone()[0]
        if free <= 0:
            return self.browse()
        self.env.cr.execute(
            """
            SELECT id FROM eldercare_checkin_attempt
             WHERE state IN ('planned', 'retry') AND next_call_at <= %s
             ORDER BY next_call_at, id LIMIT %s FOR UPDATE SKIP LOCKED
            """,
            [fields.Datetime.now(), free],
        )
        due = self.sudo().browse([row[0] for row in self.env.cr.fetchall()])
        due._eldercare_place_call()
        return due

    def _checkin_prompt(self):
        return "&".join(
            [
                "eldercare/checkin-hello",
                "{say}",
                "eldercare/checkin-intro",
                "eldercare/checkin-ask",
            ]
        )

    def _eldercare_place_call(self):
        """One dial request per attempt (one create for all)."""
        if not self:
            return self.env["eldercare.dial.request"]
        settings = self.env["eldercare.pbx"]._get_settings()
        out_context = settings["dial_out_context"]
        center = self.env["eldercare.alert"]._cascade_callback_number()
        center_name = self.env.company.name or ""
        ring = max(5, self._param_int("checkin_ring_seconds", 30))
        prompt = self._checkin_prompt()
        vals_list, placed = [], self.browse()
        for attempt in self:
            number = dialable(attempt.number)
            if not number:
                attempt.write({"state": "missed", "result": "no_number"})
                continue
            placed |= attempt
            vals_list.append(
                {
                    "purpose": "checkin",
                    "automated": True,
                    "priority": CHECKIN_PRIORITY,
                    "number": number,
                    "channel": f"Local/{number}@{out_context}",
                    "context": CHECKIN_CONTEXT,
                    "exten": CHECKIN_EXTEN,
                    "callerid": f'"{center_name}" <{center}>',
                    "ring_timeout": ring,
                    "prompt": prompt,
                    "say_text": attempt.elder_id.name or "",
                    "variables": {"EC_ELDER_ID": attempt.elder_id.id},
                    "res_model": self._name,
                    "res_id": attempt.id,
                    "company_id": attempt.company_id.id,
                }
            )
        (self - placed)._eldercare_missed()
        requests = self.env["eldercare.pbx"]._dial(vals_list)
        for attempt, request in zip(placed, requests, strict=True):
            attempt.write(
                {
                    "state": "calling",
                    "request_id": request.id,
                    "tries": attempt.tries + (0 if attempt.result == "lost" else 1),
                }
            )
        return requests

    # ------------------------------------------------------------- results
    @api.model
    def _eldercare_dial_results(self, requests):
        """Dialer callback (``eldercare.dial.request._notify_origin``)."""
        attempts = self.sudo().search(
            [("request_id", "in", requests.ids), ("state", "=", "calling")]
        )
        now = fields.Datetime.now()
        fine, callback, help_, retry, missed = (self.browse() for _i in range(5))
        for attempt in attempts:
            request = attempt.request_id
            if request.state not in ("done", "failed", "cancelled"):
                if request.digit and request.digit != attempt.digit:
                    attempt.digit = request.digit
                continue
            digit = request.digit or ""
            vals = {"digit": digit or False}
            if request.result == "answered" and digit == FINE_DIGIT:
                vals.update(state="checked_in", result="fine", checked_in_at=now)
                vals["via"] = "phone"
                fine |= attempt
            elif request.result == "answered" and digit == CALLBACK_DIGIT:
                vals.update(state="callback", result="callback")
                callback |= attempt
            elif request.result == "answered" and digit == HELP_DIGIT:
                vals.update(state="help", result="help")
                help_ |= attempt
            else:
                if request.result == "answered":
                    result = "no_digit"
                elif request.result in ("no_answer", "busy", "lost", "cancelled"):
                    result = request.result
                else:
                    result = "failed"
                vals["result"] = result
                if result == "lost" and not attempt.lost_retried:
                    # the bridge restarted and the call vanished: once more,
                    # not counted as a try
                    vals.update(state="retry", lost_retried=True, next_call_at=now)
                    retry |= attempt
                elif attempt.tries < attempt.max_tries and (
                    # never called outside the elder's window: a retry that
                    # would fall after it is a missed check-in now
                    not attempt.window_end_at
                    or now + attempt._retry_timedelta() <= attempt.window_end_at
                ):
                    vals.update(
                        state="retry", next_call_at=now + attempt._retry_timedelta()
                    )
                    retry |= attempt
                else:
                    vals["state"] = "missed"
                    missed |= attempt
            attempt.write(vals)
        callback._eldercare_callback_task()
        help_._eldercare_raise_help()
        missed._eldercare_missed()
        return True

    def _eldercare_operator_for(self):
        """Who calls the elder back: their community worker, else an operator
        on duty, else a supervisor."""
        self.ensure_one()
        worker = self.elder_id.sudo().worker_id
        if worker and not worker.share:
            return worker
        Users = self.env["res.users"].sudo()
        on_duty = Users.search([("eldercare_on_duty", "=", True)], limit=1)
        return on_duty or self.env["res.users"]._eldercare_supervisors()[:1]

    def _eldercare_callback_task(self):
        for attempt in self:
            user = attempt._eldercare_operator_for()
            if not user:
                _logger.warning("check-in %s: nobody to call the elder back", attempt)
                continue
            attempt.with_context(mail_activity_quick_update=True).activity_schedule(
                "mail.mail_activity_data_call",
                user_id=user.id,
                summary=_("Call back %s (daily check-in)", attempt.elder_id.name),
                note=_(
                    "%(elder)s pressed 2 in the daily check-in call and asks to be "
                    "called back at %(number)s.",
                    elder=attempt.elder_id.name,
                    number=attempt.number or "",
                ),
            )

    def _alert_vals(self, type_code, channel, linkedid):
        self.ensure_one()
        return {
            "linkedid": linkedid,
            "caller_number": self.number or "",
            "channel": channel,
            "type_code": type_code,
            "elder_id": self.elder_id.id,
        }

    def _eldercare_raise_help(self):
        """Key 9: an emergency alert now, through the one intake (the call's
        linkedid: a repeated report raises no second alert)."""
        if not self:
            return
        alerts = self.env["eldercare.alert"]._raise_from_calls(
            [
                a._alert_vals("emergency", "ivr", a.request_id.linkedid or "")
                for a in self
            ]
        )
        for attempt, alert in zip(self, alerts, strict=True):
            attempt.alert_id = alert

    def _eldercare_missed(self):
        """The elder could not be reached: a Missed Check-in alert each."""
        if not self:
            return
        alerts = self.env["eldercare.alert"]._raise_from_calls(
            [
                a._alert_vals("missed_checkin", "checkin", f"checkin-{a.id}")
                for a in self
            ]
        )
        for attempt, alert in zip(self, alerts, strict=True):
            attempt.alert_id = alert

    # ------------------------------------------------------------- inbound
    @api.model
    def _eldercare_inbound_calls(self, calls):
        """Inbound calls from an elder inside their window count as today's
        check-in: no outbound call is placed (a queued one is cancelled).
        Matched on the elder and, when the plan's number is known, on it."""
        calls = calls.filtered(
            lambda c: c.direction == "inbound" and c.elder_id and not c.simulated
        )
        if not calls:
            return self.browse()
        now = fields.Datetime.now()
        open_attempts = self.sudo().search(
            [
                ("elder_id", "in", calls.elder_id.ids),
                ("state", "in", OPEN_STATES),
                ("window_start_at", "<=", now),
                ("window_end_at", ">=", now),
            ]
        )
        if not open_attempts:
            return self.browse()
        normalize = self.env["eldercare.phone"]._normalize_number
        checked = self.browse()
        for attempt in open_attempts:
            wanted = normalize(attempt.number) if attempt.number else False
            for call in calls.filtered(lambda c, a=attempt: c.elder_id == a.elder_id):
                caller = call.caller_number_e164 or normalize(call.caller_number)
                if wanted and caller and caller != wanted:
                    continue
                attempt.write(
                    {
                        "state": "checked_in",
                        "result": "inbound",
                        "via": "inbound",
                        "checked_in_at": now,
                        "inbound_call_id": call.id,
                    }
                )
                checked |= attempt
                break
        checked.request_id.filtered(
            lambda r: r.state in ("queued", "sent", "answered")
        ).action_cancel()
        return checked

    # ------------------------------------------------------------- buttons
    def action_mark_checked_in(self):
        """An operator reached the elder another way."""
        for attempt in self:
            if attempt.state in ("checked_in",):
                raise UserError(
                    _("%s has checked in already today.", attempt.elder_id.name)
                )
        self.request_id.filtered(
            lambda r: r.state in ("queued", "sent", "answered")
        ).action_cancel()
        self.write({"state": "checked_in", "checked_in_at": fields.Datetime.now()})
        return True

    def action_call_now(self):
        """Place the next call now (planned, retry or missed)."""
        for attempt in self:
            if attempt.state not in ("planned", "retry", "missed"):
                raise UserError(
                    _(
                        "The check-in of %s is not waiting for a call.",
                        attempt.elder_id.name,
                    )
                )
        self.write({"state": "retry", "next_call_at": fields.Datetime.now()})
        return True
