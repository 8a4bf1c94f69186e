"""Automated care calls: satisfaction surveys, birthday greetings, service
and payment reminders.

One record is one call the center wants to make to an elder (at most once per
subject: ``dedup_key``). A cron places the due ones outside the quiet hours
through the one dialer (``eldercare.pbx._dial``: context ``eldercare-dialer``,
exten = the kind, a Mandarin prompt in ``EC_PROMPT``, automated and paced);
the dialer reports back through ``_eldercare_dial_results``. No answer, busy
or no usable key: retried after ``retry_minutes`` up to ``max_attempts``
calls, then the call ends as unreached and nothing is recorded for the elder.

Each kind brings two methods (``<kind>`` is the selection key):
``_care_prompt_<kind>()`` -> (prompt, say_text) and
``_care_answered_<kind>(digit)`` -> True when the answer is complete (the call
is done), False to call again. Optional ``_care_due_<kind>()``: False when the
call lost its reason before it was placed (cancelled, not called).
``_care_subject()`` is the record whose chatter says when the elder was not
reached.
"""

import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

CONTEXT = "eldercare-dialer"
DIAL_FINAL = ("done", "failed", "cancelled")
PARAM = "eldercare_care_calls."
PLACE_BATCH = 200
KIND_PRIORITY = {"survey": 30, "service_reminder": 25, "payment": 20, "birthday": 15}
RESULTS = [
    ("answered", "Answered"),
    ("no_digit", "Answered, No Key"),
    ("no_answer", "No Answer"),
    ("busy", "Busy"),
    ("failed", "Failed"),
    ("no_number", "No Number"),
]
ACTIVITY_FOLLOWUP = "eldercare_care_calls.mail_activity_type_care_call_followup"


class EldercareCareCall(models.Model):
    _name = "eldercare.care.call"
    _description = "Care Call"
    _order = "id desc"
    _check_company_auto = True

    kind = fields.Selection(
        [
            ("survey", "Satisfaction Survey"),
            ("birthday", "Birthday Greeting"),
            ("service_reminder", "Service Reminder"),
        ],
        required=True,
        index=True,
        readonly=True,
    )
    elder_id = fields.Many2one(
        "res.partner", required=True, index=True, ondelete="cascade", readonly=True
    )
    community_id = fields.Many2one(
        related="elder_id.community_id", store=True, string="Community"
    )
    number = fields.Char(help="The number called: the elder's best number.")
    work_order_id = fields.Many2one(
        "eldercare.work.order",
        index="btree_not_null",
        ondelete="cascade",
        readonly=True,
        check_company=True,
    )
    provider_id = fields.Many2one(
        related="work_order_id.provider_id", store=True, string="Provider"
    )
    product_id = fields.Many2one(
        related="work_order_id.product_id", store=True, string="Service Item"
    )
    state = fields.Selection(
        [
            ("waiting", "Scheduled"),
            ("calling", "Calling"),
            ("done", "Answered"),
            ("failed", "Unreached"),
            ("cancelled", "Cancelled"),
        ],
        default="waiting",
        required=True,
        index=True,
        readonly=True,
    )
    next_call_at = fields.Datetime(
        "Next Call", default=fields.Datetime.now, index=True, readonly=True
    )
    attempt_count = fields.Integer("Calls Made", readonly=True)
    max_attempts = fields.Integer(
        "Maximum Calls", default=lambda s: s._param("max_attempts", 3)
    )
    retry_minutes = fields.Integer(
        "Retry After (min)", default=lambda s: s._param("retry_minutes", 30)
    )
    result = fields.Selection(RESULTS, readonly=True)
    digit = fields.Char("Key", readonly=True)
    score = fields.Integer(
        readonly=True, aggregator="avg", help="Survey: the key pressed, 1 to 5."
    )
    answered_at = fields.Datetime("Answered", readonly=True)
    ended_at = fields.Datetime("Ended", readonly=True)
    note = fields.Text(readonly=True)
    request_ids = fields.Many2many(
        "eldercare.dial.request", compute="_compute_request_ids", string="Calls"
    )
    dedup_key = fields.Char(required=True, readonly=True, copy=False)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda s: s.env.company, index=True
    )

    _sql_constraints = [
        (
            "dedup_key_uniq",
            "unique(dedup_key)",
            "This care call was already scheduled.",
        ),
    ]

    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for call in self:
            call.display_name = f"{kinds.get(call.kind, '')}: {call.elder_id.name}"

    def _compute_request_ids(self):
        requests = (
            self.env["eldercare.dial.request"]
            .sudo()
            .search([("res_model", "=", self._name), ("res_id", "in", self.ids)])
        )
        for call in self:
            call.request_ids = requests.filtered(lambda r, c=call: r.res_id == c.id)

    @api.model
    def _param(self, key, default):
        value = self.env["ir.config_parameter"].sudo().get_param(PARAM + key)
        try:
            return max(int(value), 0) if value not in (None, "") else default
        except ValueError:
            return default

    # ------------------------------------------------------------ schedule
    @api.model
    def _eldercare_schedule(self, vals_list):
        """Create the care calls of ``vals_list`` whose ``dedup_key`` is new
        (a subject is called once); returns the created ones."""
        keys = [vals["dedup_key"] for vals in vals_list]
        existing = set(
            self.sudo()
            .with_context(active_test=False)
            .search_fetch([("dedup_key", "in", keys)], ["dedup_key"])
            .mapped("dedup_key")
        )
        best = self.env["eldercare.pbx"]._eldercare_best_number
        # one recordset: the numbers of all the elders are read together
        elders = (
            self.env["res.partner"]
            .sudo()
            .browse({vals["elder_id"] for vals in vals_list})
        )
        elder_by_id = {elder.id: elder for elder in elders}
        new, seen = [], set()
        for vals in vals_list:
            if vals["dedup_key"] in existing or vals["dedup_key"] in seen:
                continue
            seen.add(vals["dedup_key"])
            if "number" not in vals:
                number = best(elder_by_id[vals["elder_id"]])
                vals = dict(vals, number=number or False)
            new.append(vals)
        return self.sudo().create(new) if new else self.browse()

    # ---------------------------------------------------------------- place
    @api.model
    def _cron_place_due_calls(self):
        """Place the care calls that are due (outside the quiet hours)."""
        due = self.sudo().search(
            [("state", "=", "waiting"), ("next_call_at", "<=", fields.Datetime.now())],
            order="next_call_at, id",
            limit=PLACE_BATCH,
        )
        return due._eldercare_place()

    def action_call_now(self):
        """Button: place this scheduled call at once (not in the quiet hours)."""
        for call in self:
            if call.state != "waiting":
                raise UserError(
                    _(
                        "%(call)s is not waiting to be called (it is %(state)s).",
                        call=call.display_name,
                        state=dict(
                            self._fields["state"]._description_selection(self.env)
                        )[call.state],
                    )
                )
        quiet = self.env["eldercare.pbx"]._eldercare_call_quiet_until()
        if quiet:
            raise UserError(
                _(
                    "It is the quiet hours of the care calls: elders are not "
                    "called before %(time)s (UTC). The call is placed then.",
                    time=fields.Datetime.to_string(quiet),
                )
            )
        self.sudo()._eldercare_place()
        return True

    def action_cancel(self):
        self.filtered(lambda c: c.state == "waiting").write(
            {"state": "cancelled", "ended_at": fields.Datetime.now()}
        )
        return True

    def _eldercare_place(self):
        """Queue one dial request per call (one batch); returns the calls
        placed. In the quiet hours they wait for their end."""
        calls = self._eldercare_lock_waiting()
        if not calls:
            return calls
        pbx = self.env["eldercare.pbx"]
        quiet = pbx._eldercare_call_quiet_until()
        if quiet:
            calls.write({"next_call_at": quiet})
            return self.browse()
        stale = calls.filtered(lambda c: not c._care_still_due())
        stale.write(
            {
                "state": "cancelled",
                "ended_at": fields.Datetime.now(),
                "note": _("No longer needed when it was due: not called."),
            }
        )
        calls -= stale
        no_number = calls.filtered(lambda c: not c.number)
        no_number.write(
            {
                "state": "failed",
                "result": "no_number",
                "ended_at": fields.Datetime.now(),
                "note": _("No telephone number on file: nobody was called."),
            }
        )
        calls -= no_number
        if not calls:
            return calls
        out_context = pbx._get_settings()["dial_out_context"]
        ring = max(5, self._param("ring_seconds", 30))
        callerid = self._eldercare_callerid()
        vals_list = []
        for call in calls:
            prompt, say_text = getattr(call, f"_care_prompt_{call.kind}")()
            vals_list.append(
                {
                    "purpose": call.kind,
                    "automated": True,
                    "priority": KIND_PRIORITY.get(call.kind, 10),
                    "number": call.number,
                    "channel": f"Local/{call.number}@{out_context}",
                    "context": CONTEXT,
                    "exten": call.kind,
                    "callerid": callerid,
                    "ring_timeout": ring,
                    "prompt": prompt,
                    "say_text": say_text or "",
                    "variables": {"EC_ELDER_ID": call.elder_id.id},
                    "res_model": self._name,
                    "res_id": call.id,
                    "company_id": call.company_id.id,
                }
            )
        pbx._dial(vals_list)
        calls.invalidate_recordset(["request_ids"])
        # a handful of distinct counts: one write per count, not per call
        for count in set(calls.mapped("attempt_count")):
            calls.filtered(lambda c, n=count: c.attempt_count == n).write(
                {"state": "calling", "attempt_count": count + 1}
            )
        return calls

    def _eldercare_lock_waiting(self):
        """The waiting calls of ``self``, locked: the cron and the Call Now
        button never place the same call twice."""
        if not self.ids:
            return self.browse()
        self.flush_recordset(["state"])
        self.env.cr.execute(
            """
            SELECT id FROM eldercare_care_call
             WHERE id = ANY(%s) AND state = 'waiting'
               FOR UPDATE SKIP LOCKED
            """,
            [list(self.ids)],
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _eldercare_callerid(self):
        number = self.env["eldercare.alert"]._cascade_callback_number()
        name = (self.env.company.name or "").replace('"', "")
        return f'"{name}" <{number}>' if number else f'"{name}"'

    # -------------------------------------------------------------- results
    @api.model
    def _eldercare_dial_results(self, requests):
        """Dialer callback (``eldercare.dial.request._notify_origin``)."""
        ended = requests.filtered(lambda r: r.state in DIAL_FINAL)
        calls = self.sudo().browse(ended.mapped("res_id")).exists()
        calls = calls.filtered(lambda c: c.state == "calling")
        by_call = {request.res_id: request for request in ended}
        now = fields.Datetime.now()
        for call in calls:
            request = by_call[call.id]
            digit = (request.digit or "")[:1]
            vals = {"digit": digit or False, "ended_at": request.ended_at or now}
            answered = request.result == "answered"
            if answered:
                vals["answered_at"] = request.answered_at
            call.write(vals)
            if answered and getattr(call, f"_care_answered_{call.kind}")(digit):
                call.write({"state": "done", "result": "answered"})
                continue
            result = ("no_digit" if answered else request.result) or "failed"
            if result not in dict(RESULTS):
                result = "failed"
            call._eldercare_retry_or_give_up(result, now)
        return True

    def _eldercare_retry_or_give_up(self, result, now):
        self.ensure_one()
        if self.attempt_count < max(self.max_attempts, 1):
            self.write(
                {
                    "state": "waiting",
                    "result": result,
                    "next_call_at": now + timedelta(minutes=self.retry_minutes),
                }
            )
            return
        note = _(
            "Not reached after %(count)s call(s): nothing was recorded.",
            count=self.attempt_count,
        )
        self.write({"state": "failed", "result": result, "note": note})
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        self._care_subject().sudo().message_post(
            body=_(
                "%(kind)s call to %(elder)s: %(note)s",
                kind=kinds.get(self.kind, ""),
                elder=self.elder_id.name,
                note=note,
            ),
            subtype_xmlid="mail.mt_note",
        )

    # ------------------------------------------------------------- helpers
    def _care_still_due(self):
        """False when the call lost its reason before it was placed (the
        order was sent back, the statement paid...): ``_care_due_<kind>``."""
        self.ensure_one()
        check = getattr(self, f"_care_due_{self.kind}", None)
        return check() if check else True

    def _care_subject(self):
        """The record the call is about (its chatter tells what happened)."""
        self.ensure_one()
        return self.work_order_id or self.elder_id

    def _care_say_lang(self):
        """The prompts are Mandarin: names are said in Chinese when it is
        installed."""
        return "zh_CN" if self.env["res.lang"]._lang_get("zh_CN") else None

    def _eldercare_followup(self, record, user, summary, note):
        """A follow-up to-do for ``user`` on ``record`` (the work order, the
        elder...) about this call's answer."""
        if not user:
            _logger.info("Care call %s: nobody to follow up %s", self.id, record)
            return False
        return (
            record.sudo()
            .with_context(mail_activity_quick_update=True)
            .activity_schedule(
                ACTIVITY_FOLLOWUP, user_id=user.id, summary=summary, note=note
            )
        )

    def _eldercare_elder_followup_user(self):
        """The elder's community worker, else the first supervisor."""
        self.ensure_one()
        worker = self.elder_id.sudo().worker_id
        if worker:
            return worker
        return self.env["res.users"]._eldercare_supervisors().sorted("id")[:1]
