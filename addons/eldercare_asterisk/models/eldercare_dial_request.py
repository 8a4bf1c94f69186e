"""The outbound call queue: every call Odoo wants placed is one request here.

Odoo never talks to Asterisk itself. It writes a request (what to originate,
where the answered call goes, which channel variables it carries, who wants
the result) and the bridge's dialer takes it (``eldercare.pbx.bridge.dial_sync``,
polled by the bridge), places it through its one AMI connection and reports
back: answered, ended with a result and, for calls that ask a question, the
DTMF digit. The record that asked (``res_model``/``res_id``) is called back
with ``_eldercare_dial_result(request)`` at every report.

Purposes (``purpose``) are data for the record that asked; the dialer only
cares about ``automated``: automated calls (cascade, check-in, reminders) are
paced by the configured maximum of simultaneous outbound channels, calls an
operator started (click-to-call, call back, training simulation) never wait
behind them.
"""

import logging
import uuid

from odoo import _, api, fields, models

_logger = logging.getLogger(__name__)

ACTIVE_STATES = ("sent", "answered")
FINAL_STATES = ("done", "failed", "cancelled")
RESULTS = [
    ("answered", "Answered"),
    ("no_answer", "No Answer"),
    ("busy", "Busy"),
    ("congestion", "Network Busy"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
    ("lost", "Lost (dialer restarted)"),
]


class EldercareDialRequest(models.Model):
    _name = "eldercare.dial.request"
    _description = "Outbound Call Request"
    _order = "id desc"
    _rec_name = "linkedid"

    purpose = fields.Selection(
        [
            ("click_to_call", "Click-to-call"),
            ("call_back", "Call Back"),
            ("simulate", "Training Call"),
            ("cascade", "Responder Cascade"),
        ],
        required=True,
        index=True,
    )
    automated = fields.Boolean(
        help="Paced by the maximum of simultaneous outbound channels."
    )
    priority = fields.Integer(
        default=10, help="Higher first when several requests wait for a channel."
    )
    state = fields.Selection(
        [
            ("queued", "Queued"),
            ("sent", "Dialling"),
            ("answered", "Answered"),
            ("done", "Done"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        default="queued",
        required=True,
        index=True,
    )
    result = fields.Selection(RESULTS, readonly=True)
    digit = fields.Char(readonly=True, help="DTMF key the callee pressed.")
    number = fields.Char(help="The number being called.")
    linkedid = fields.Char(
        required=True, index=True, copy=False, default=lambda s: s._new_linkedid()
    )
    # what the dialer originates (AMI Originate headers)
    channel = fields.Char(required=True)
    context = fields.Char()
    exten = fields.Char()
    dial_priority = fields.Integer(default=1)
    application = fields.Char()
    app_data = fields.Char()
    callerid = fields.Char()
    ring_timeout = fields.Integer(default=30, help="Seconds to ring before giving up.")
    variables = fields.Json(default=dict)
    other_linkedid = fields.Char(help="Unique id of a Local channel's second half.")
    # spoken per call (Mandarin): "&"-joined Asterisk sound files, and a
    # short text the bridge synthesises once (espeak-ng) when it can
    prompt = fields.Char()
    say_text = fields.Char()
    # who asked
    res_model = fields.Char(index=True)
    res_id = fields.Integer(index=True)
    user_id = fields.Many2one("res.users", string="Requested by")
    call_id = fields.Many2one("eldercare.call", index="btree_not_null")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda s: s.env.company
    )
    sent_at = fields.Datetime(readonly=True)
    answered_at = fields.Datetime(readonly=True)
    ended_at = fields.Datetime(readonly=True)
    error = fields.Char(readonly=True)
    cancel_requested = fields.Boolean(readonly=True)

    _sql_constraints = [
        ("linkedid_uniq", "unique(linkedid)", "A call id is used once."),
    ]

    @api.model
    def _new_linkedid(self):
        return f"ec-{uuid.uuid4().hex[:20]}"

    # ------------------------------------------------------------ requests
    @api.model
    def _max_channels(self):
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("eldercare_asterisk.dial_max_channels", "10")
        )
        try:
            return max(1, int(value))
        except ValueError:
            return 10

    def action_cancel(self):
        """Stop a call: a queued one is never placed, a ringing or answered
        one is hung up by the dialer at its next poll."""
        queued = self.filtered(lambda r: r.state == "queued")
        queued.write(
            {
                "state": "cancelled",
                "result": "cancelled",
                "ended_at": fields.Datetime.now(),
            }
        )
        self.filtered(lambda r: r.state in ACTIVE_STATES).write(
            {"cancel_requested": True}
        )
        queued._notify_origin()
        return True

    def _prepare_dialer_vals(self):
        self.ensure_one()
        variables = dict(self.variables or {})
        variables["EC_DIAL_ID"] = self.id
        return {
            "id": self.id,
            "number": self.number or "",
            "linkedid": self.linkedid,
            "other_linkedid": self.other_linkedid or "",
            "channel": self.channel,
            "context": self.context or "",
            "exten": self.exten or "",
            "priority": self.dial_priority or 1,
            "application": self.application or "",
            "data": self.app_data or "",
            "callerid": self.callerid or "",
            "timeout": self.ring_timeout or 30,
            "variables": variables,
            "prompt": self.prompt or "",
            "say_text": self.say_text or "",
            "automated": self.automated,
        }

    # ---------------------------------------------------------- dialer API
    @api.model
    def _dialer_sync(self, reports, active_ids, accept=True):
        """One poll of the bridge's dialer (see ``eldercare.pbx.bridge.dial_sync``).

        1. ``reports``: what happened to the calls it placed (applied in order;
           the record that asked is called back, it may queue the next call);
        2. requests Odoo believes are dialling but the dialer does not track
           (it restarted, or lost a reply) end as ``lost``;
        3. returns the requests to place now (operator calls all, automated
           ones up to the free channels) and the linkedids to hang up."""
        now = fields.Datetime.now()
        by_id = {}
        report_ids = [int(r["id"]) for r in reports or [] if r.get("id")]
        for request in self.browse(report_ids).exists():
            by_id[request.id] = request
        touched = self.browse()
        for report in reports or []:
            request = by_id.get(int(report.get("id") or 0))
            if not request or request.state in FINAL_STATES:
                continue
            request._apply_report(report, now)
            touched |= request
        active = {int(i) for i in active_ids or []}
        orphans = self.search(
            [
                ("state", "in", ACTIVE_STATES),
                ("id", "not in", list(active | set(report_ids))),
            ]
        )
        if orphans:
            _logger.warning(
                "dialer does not track %d call(s) Odoo sent it (%s): ended as lost",
                len(orphans),
                orphans.mapped("linkedid"),
            )
            orphans.write(
                {
                    "state": "failed",
                    "result": "lost",
                    "ended_at": now,
                    "error": _("The dialer restarted or lost this call."),
                }
            )
            touched |= orphans
        touched._notify_origin()
        take = self._take() if accept else self.browse()
        hangup = self.search(
            [("state", "in", ACTIVE_STATES), ("cancel_requested", "=", True)]
        )
        return {
            "dial": [request._prepare_dialer_vals() for request in take],
            "hangup": hangup.mapped("linkedid"),
            "max_channels": self._max_channels(),
        }

    @api.model
    def _take(self):
        """Lock and mark sent the requests to place now (SKIP LOCKED: a
        request is never given to two pollers)."""
        self.flush_model()
        busy = self.search_count(
            [("state", "in", ACTIVE_STATES), ("automated", "=", True)]
        )
        free = max(0, self._max_channels() - busy)
        ids = []
        for automated, limit in ((False, None), (True, free)):
            self.env.cr.execute(
                """
                SELECT id FROM eldercare_dial_request
                 WHERE state = 'queued' AND COALESCE(automated, false) = %s
                 ORDER BY priority DESC, id LIMIT %s FOR UPDATE SKIP LOCKED
                """,
                [automated, limit],
            )
            ids += [row[0] for row in self.env.cr.fetchall()]
        take = self.browse(ids)
        if take:
            take.write({"state": "sent", "sent_at": fields.Datetime.now()})
        return take

    def _apply_report(self, report, now):
        """``report``: {"id", "event": "answered"|"ended", "result", "digit",
        "error"}."""
        self.ensure_one()
        vals = {}
        if report.get("digit") not in (None, ""):
            vals["digit"] = str(report["digit"])[:8]
        event = report.get("event")
        if event == "answered":
            vals.update(state="answered", answered_at=self.answered_at or now)
        elif event == "ended":
            result = report.get("result") or "failed"
            if result not in dict(RESULTS):
                result = "failed"
            if result == "answered" or self.answered_at:
                vals.update(state="done", result="answered")
                if not self.answered_at:
                    vals["answered_at"] = now
            else:
                vals.update(
                    state="cancelled" if result == "cancelled" else "failed",
                    result=result,
                )
            vals["ended_at"] = now
            if report.get("error"):
                vals["error"] = str(report["error"])[:500]
        if vals:
            self.write(vals)

    def _notify_origin(self):
        """Tell the records that asked (grouped by model, one call each)."""
        groups = {}
        for request in self:
            if request.res_model and request.res_id:
                groups.setdefault(request.res_model, self.browse())
                groups[request.res_model] |= request
        for model, requests in groups.items():
            if model not in self.env:
                continue
            origin = self.env[model].sudo()
            if hasattr(origin, "_eldercare_dial_results"):
                origin._eldercare_dial_results(requests)
