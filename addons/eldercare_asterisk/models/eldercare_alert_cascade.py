"""Responder cascade: when an alert is confirmed, call the elder's responders
one after the other until one of them accepts (DTMF 1).

Order: emergency-contact relatives by priority, the spouse, the community
worker, then the other relatives. Each call is an ``eldercare.dial.request``
placed by the bridge's dialer; the dialplan (``extensions_dialer.conf``,
context ``eldercare-dialer``, extension ``cascade``) plays the Mandarin message
and reads one key: 1 = I will go, 2 = I cannot. 1 stops the cascade; no
answer, busy, no key and 2 move to the next responder; a full pass without
acceptance is repeated (``eldercare_asterisk.cascade_passes``) and then the
supervisors are told (activity + bus notification). Every attempt is kept on
the alert and pushed live to the operators' dashboards and popups.
"""

import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .eldercare_pbx import dialable

_logger = logging.getLogger(__name__)

CASCADE_CONTEXT = "eldercare-dialer"
CASCADE_EXTEN = "cascade"
ACCEPT_DIGIT = "1"
REFUSE_DIGIT = "2"
ATTEMPT_RESULTS = [
    ("accepted", "Accepted"),
    ("refused", "Cannot Go"),
    ("no_digit", "Answered, No Key"),
    ("no_answer", "No Answer"),
    ("busy", "Busy"),
    ("failed", "Failed"),
    ("skipped", "Skipped"),
    ("stopped", "Stopped"),
]
RESPONDER_KINDS = [
    ("emergency_contact", "Emergency Contact"),
    ("spouse", "Spouse"),
    ("worker", "Community Worker"),
    ("relative", "Other Relative"),
]
DIAL_TO_ATTEMPT = {
    "no_answer": "no_answer",
    "busy": "busy",
    "congestion": "failed",
    "failed": "failed",
    "lost": "failed",
    "cancelled": "stopped",
}
SPOKEN_DIGITS = 20
CASCADE_END_STATES = ("resolved", "closed", "false_alarm")


class EldercareAlertType(models.Model):
    _inherit = "eldercare.alert.type"

    cascade_on_confirm = fields.Boolean(
        "Call Responders on Confirm",
        help="When an alert of this type is confirmed, the elder's relatives, "
        "spouse and community worker are called automatically one after the "
        "other until one of them accepts.",
    )


class EldercareAlertCascadeAttempt(models.Model):
    _name = "eldercare.alert.cascade.attempt"
    _description = "Responder Call Attempt"
    _order = "alert_id, id"

    alert_id = fields.Many2one(
        "eldercare.alert", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="alert_id.company_id", store=True)
    pass_no = fields.Integer("Pass", default=1)
    position = fields.Integer(help="Place of the responder in the cascade order.")
    responder_kind = fields.Selection(RESPONDER_KINDS, "Responder")
    name = fields.Char("Who", required=True)
    relative_id = fields.Many2one("eldercare.relative", ondelete="set null")
    user_id = fields.Many2one("res.users", ondelete="set null")
    number = fields.Char(required=True)
    request_id = fields.Many2one("eldercare.dial.request", "Call", readonly=True)
    state = fields.Selection(
        [("calling", "Calling"), ("done", "Done")], default="calling", required=True
    )
    started_at = fields.Datetime("Start", default=fields.Datetime.now)
    answered_at = fields.Datetime("Answered")
    ended_at = fields.Datetime("Ended")
    digit = fields.Char("Key")
    result = fields.Selection(ATTEMPT_RESULTS)
    sms_sent = fields.Boolean("SMS Sent")
    via = fields.Selection(
        [("phone", "Phone Call"), ("sms", "SMS Reply"), ("portal", "Portal")],
        "Answered Through",
        default="phone",
        required=True,
    )

    def _summary(self):
        results = dict(self._fields["result"]._description_selection(self.env))
        kinds = dict(self._fields["responder_kind"]._description_selection(self.env))
        to_str = fields.Datetime.to_string
        return [
            {
                "id": a.id,
                "pass": a.pass_no,
                "name": a.name,
                "kind": kinds.get(a.responder_kind, ""),
                "number": a.number,
                "state": a.state,
                "start": to_str(a.started_at) if a.started_at else False,
                "answered": to_str(a.answered_at) if a.answered_at else False,
                "digit": a.digit or False,
                "result": a.result or False,
                "result_label": results.get(a.result, ""),
                "sms_sent": a.sms_sent,
                "via": a.via,
            }
            for a in self
        ]

    @api.model
    def _eldercare_dial_results(self, requests):
        """Dialer callback (see ``eldercare.dial.request._notify_origin``)."""
        attempts = self.search(
            [("request_id", "in", requests.ids), ("state", "=", "calling")]
        )
        ended = self.browse()
        unanswered = self.browse()
        for attempt in attempts:
            request = attempt.request_id
            vals = {}
            if request.answered_at and not attempt.answered_at:
                vals["answered_at"] = request.answered_at
            if request.digit and request.digit != attempt.digit:
                vals["digit"] = request.digit
            if request.state in ("done", "failed", "cancelled"):
                vals.update(state="done", ended_at=request.ended_at)
                if request.result == "answered":
                    digit = request.digit or ""
                    vals["result"] = (
                        "accepted"
                        if digit == ACCEPT_DIGIT
                        else "refused"
                        if digit == REFUSE_DIGIT
                        else "no_digit"
                    )
                else:
                    vals["result"] = DIAL_TO_ATTEMPT.get(request.result, "failed")
                    if vals["result"] in ("no_answer", "busy", "failed"):
                        unanswered |= attempt
                ended |= attempt
            if vals:
                attempt.write(vals)
        unanswered._send_sms_fallback()
        alerts = attempts.alert_id
        accepted = ended.filtered(lambda a: a.result == "accepted")
        for attempt in accepted:
            attempt.alert_id._eldercare_cascade_accepted(attempt)
        (alerts - accepted.alert_id).filtered(
            lambda a: a.cascade_state == "running"
        )._eldercare_cascade_advance()
        alerts._broadcast_update()
        return True

    def _send_sms_fallback(self):
        """A relative who did not answer gets the alert by SMS (emergency's SMS
        hooks; nothing is pretended without a provider)."""
        for attempt in self.filtered("relative_id"):
            alert = attempt.alert_id
            if not alert._eldercare_sms_provider_configured():
                continue
            texted = alert._eldercare_send_sms(attempt.relative_id)
            if texted:
                attempt.sms_sent = True


# the cascade is kept apart from eldercare_alert.py (call back) on purpose:
# one file per feature of the alert
class EldercareAlert(models.Model):
    _inherit = "eldercare.alert"  # pylint: disable=consider-merging-classes-inherited

    cascade_state = fields.Selection(
        [
            ("running", "Calling Responders"),
            ("paused", "Paused"),
            ("accepted", "Accepted"),
            ("exhausted", "Nobody Accepted"),
            ("stopped", "Stopped"),
        ],
        "Responder Calls",
        readonly=True,
        tracking=True,
        copy=False,
    )
    cascade_pass = fields.Integer(readonly=True, copy=False)
    cascade_position = fields.Integer(readonly=True, copy=False)
    cascade_attempt_ids = fields.One2many(
        "eldercare.alert.cascade.attempt", "alert_id", "Responder Calls"
    )
    cascade_accepted_id = fields.Many2one(
        "eldercare.alert.cascade.attempt", "Accepted By", readonly=True, copy=False
    )

    # ---------------------------------------------------------- triggers
    def write(self, vals):
        res = super().write(vals)
        if vals.get("state") in CASCADE_END_STATES:
            self._eldercare_cascade_halt()
        return res

    def _eldercare_cascade_halt(self):
        """The alert is over (resolved, closed, false alarm): no more calls."""
        running = self.filtered(lambda a: a.cascade_state in ("running", "paused"))
        for alert in running:
            alert._cascade_end_current("stopped")
        if running:
            running.write({"cascade_state": "stopped"})
        return running

    def action_confirm(self):
        res = super().action_confirm()
        self.filtered("type_id.cascade_on_confirm")._eldercare_cascade_start()
        return res

    def action_notify(self):
        """Notify (chatter list, community worker's to-do, SMS) and start
        calling the responders."""
        res = super().action_notify()
        self._eldercare_cascade_start()
        if isinstance(res, dict) and res.get("params"):
            res["params"]["message"] = _(
                "The relatives, spouse and community worker are being called one "
                "after the other; follow it on the alert."
            )
        return res

    # ----------------------------------------------------------- helpers
    @api.model
    def _cascade_param(self, key, default):
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(f"eldercare_asterisk.{key}", default)
        )
        try:
            return int(value)
        except (TypeError, ValueError):
            return int(default)

    @api.model
    def _cascade_callback_number(self):
        params = self.env["ir.config_parameter"].sudo()
        number = params.get_param("eldercare_asterisk.center_callback_number")
        if not number:
            line = (
                self.env["eldercare.pbx.line"]
                .sudo()
                .search([("line_type", "=", "service")], limit=1)
            )
            number = line.number
        return dialable(number)[:SPOKEN_DIGITS]

    def _eldercare_cascade_responders(self):
        """Who to call, in order: list of dicts (kind, name, number,
        relative_id, user_id). People without a number are left out; a
        number already in the list is not called twice."""
        self.ensure_one()
        elder = self.elder_id.sudo()
        if not elder:
            return []
        best = self.env["eldercare.pbx"]._eldercare_best_number
        relatives = elder.relative_ids.sorted(lambda r: (r.sequence, r.id))
        contacts = relatives.filtered("is_emergency_contact")
        spouses = (relatives - contacts).filtered(lambda r: r.relation == "spouse")
        others = relatives - contacts - spouses
        out, seen = [], set()

        def add(kind, name, number, relative=None, user=None):
            key = dialable(number)
            if not key or key in seen:
                return
            seen.add(key)
            out.append(
                {
                    "kind": kind,
                    "name": name,
                    "number": key,
                    "relative_id": relative.id if relative else False,
                    "user_id": user.id if user else False,
                }
            )

        for relative in contacts:
            add("emergency_contact", relative.name, best(relative), relative)
        for relative in spouses:
            add("spouse", relative.name, best(relative), relative)
        if elder.spouse_phone:
            add("spouse", elder.spouse_name or _("Spouse"), elder.spouse_phone)
        if elder.worker_id:
            add(
                "worker",
                elder.worker_id.name,
                best(elder.worker_id),
                None,
                elder.worker_id,
            )
        for relative in others:
            add("relative", relative.name, best(relative), relative)
        return out

    def _cascade_prompt(self, number):
        """Mandarin message (sound files of prompts.tsv, ``&``-joined, all
        interruptible by the key): "Eldercare centre emergency notice: your
        family member" <name> "called for help. Press 1 if you will go, 2 if
        you cannot. Our number is" <digits>. ``{say}`` is where the bridge puts
        the elder's name, synthesised once per name (``say_text``); the
        callback number is read digit by digit."""
        digits = [f"eldercare/digit-{d}" for d in number if d.isdigit()]
        parts = [
            "eldercare/cascade-intro",
            "{say}",
            "eldercare/cascade-alert",
            "eldercare/cascade-ask",
        ]
        if digits:
            parts += ["eldercare/cascade-callback", *digits]
        return "&".join(parts)

    # ------------------------------------------------------------ engine
    def _eldercare_cascade_start(self):
        """Start (or restart after it ended unaccepted) the cascade."""
        start = self.browse()
        for alert in self:
            if alert.cascade_state in ("running", "paused"):
                continue
            if alert.cascade_state == "accepted":
                continue
            if not alert.elder_id:
                alert.message_post(
                    body=_("No responder called: the caller is not identified yet.")
                )
                continue
            start |= alert
        if not start:
            return start
        start.write(
            {
                "cascade_state": "running",
                "cascade_pass": 1,
                "cascade_position": 0,
                "cascade_accepted_id": False,
            }
        )
        start._eldercare_cascade_advance()
        start._broadcast_update()
        return start

    def _eldercare_cascade_advance(self):
        """Place the next call of every running cascade that has none."""
        alerts = self.sudo()
        busy = (
            self.env["eldercare.alert.cascade.attempt"]
            .sudo()
            .search([("alert_id", "in", alerts.ids), ("state", "=", "calling")])
            .alert_id
        )
        passes = max(1, self._cascade_param("cascade_passes", 2))
        ring = max(5, self._cascade_param("cascade_ring_seconds", 30))
        out_context = self.env["eldercare.pbx"]._get_settings()["dial_out_context"]
        attempt_vals, exhausted = [], alerts.browse()
        for alert in alerts.filtered(lambda a: a.cascade_state == "running") - busy:
            responders = alert._eldercare_cascade_responders()
            position, pass_no = alert.cascade_position, alert.cascade_pass or 1
            if position >= len(responders):
                if pass_no < passes and responders:
                    position, pass_no = 0, pass_no + 1
                else:
                    exhausted |= alert
                    continue
            responder = responders[position]
            alert.write({"cascade_position": position + 1, "cascade_pass": pass_no})
            attempt_vals.append(
                (
                    alert,
                    {
                        "alert_id": alert.id,
                        "pass_no": pass_no,
                        "position": position,
                        "responder_kind": responder["kind"],
                        "name": responder["name"],
                        "number": responder["number"],
                        "relative_id": responder["relative_id"],
                        "user_id": responder["user_id"],
                    },
                )
            )
        if attempt_vals:
            attempts = alerts.env["eldercare.alert.cascade.attempt"].create(
                [vals for _alert, vals in attempt_vals]
            )
            request_vals = []
            center = alerts._cascade_callback_number()
            center_name = alerts.env.company.name or ""
            prompt = alerts._cascade_prompt(center)
            for (alert, _vals), attempt in zip(attempt_vals, attempts, strict=True):
                request_vals.append(
                    {
                        "purpose": "cascade",
                        "automated": True,
                        "priority": 90,
                        "number": attempt.number,
                        "channel": f"Local/{attempt.number}@{out_context}",
                        "context": CASCADE_CONTEXT,
                        "exten": CASCADE_EXTEN,
                        "callerid": f'"{center_name}" <{center}>',
                        "ring_timeout": ring,
                        "prompt": prompt,
                        "say_text": alert.elder_id.name or "",
                        "variables": {
                            "EC_ALERT_ID": alert.id,
                            "EC_ELDER_ID": alert.elder_id.id,
                        },
                        "res_model": attempt._name,
                        "res_id": attempt.id,
                        "company_id": alert.company_id.id,
                    }
                )
            requests = alerts.env["eldercare.pbx"]._dial(request_vals)
            for attempt, request in zip(attempts, requests, strict=True):
                attempt.request_id = request
        exhausted._eldercare_cascade_exhausted()
        return True

    def _eldercare_cascade_accepted(self, attempt):
        self.ensure_one()
        self.write({"cascade_state": "accepted", "cascade_accepted_id": attempt.id})
        self.message_post(
            body=_(
                "%(name)s (%(number)s) accepted by phone and will handle it.",
                name=attempt.name,
                number=attempt.number,
            ),
            subtype_xmlid="mail.mt_note",
        )

    def _eldercare_cascade_accept_external(self, relative, via="sms"):
        """Hook for the SMS reply and the relative's portal: ``relative``
        (``eldercare.relative``) accepts the alert outside a call. The call
        in progress (to somebody else) is hung up and the cascade stops.
        Returns the attempt recorded, or False when somebody already
        accepted."""
        self.ensure_one()
        alert = self.sudo()
        if alert.cascade_state == "accepted":
            return False
        alert._cascade_end_current("stopped")
        now = fields.Datetime.now()
        attempt = alert.env["eldercare.alert.cascade.attempt"].create(
            {
                "alert_id": alert.id,
                "pass_no": alert.cascade_pass or 1,
                "responder_kind": "emergency_contact"
                if relative.is_emergency_contact
                else "relative",
                "name": relative.name,
                "relative_id": relative.id,
                "number": relative.phone or "-",
                "state": "done",
                "started_at": now,
                "answered_at": now,
                "ended_at": now,
                "result": "accepted",
                "via": via,
            }
        )
        alert._eldercare_cascade_accepted(attempt)
        alert._broadcast_update()
        return attempt

    def _eldercare_cascade_exhausted(self):
        if not self:
            return
        self.write({"cascade_state": "exhausted"})
        supervisors = self.env["res.users"]._eldercare_supervisors()
        for alert in self:
            tried = len(alert.cascade_attempt_ids)

            def note(env, alert=alert, tried=tried):
                return env._(
                    "Nobody accepted alert %(alert)s for %(elder)s after %(count)s "
                    "call(s): call the family yourself or send help.",
                    alert=alert.name,
                    elder=alert.elder_id.name or alert.caller_number or "",
                    count=tried,
                )

            # chatter in the center's language, activities in each recipient's
            center = alert.with_context(lang=alert.company_id.partner_id.lang)
            alert.message_post(body=note(center.env), subtype_xmlid="mail.mt_note")
            # no assignment e-mail: the bridge user sends nothing (no address);
            # the supervisors get the bus notification below
            for user in supervisors:
                env = alert.with_context(lang=user.lang or "en_US").env
                alert.with_context(mail_activity_quick_update=True).activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=user.id,
                    summary=env._("No responder accepted %s", alert.name),
                    note=note(env),
                )
        self._eldercare_bus_push(
            supervisors,
            "eldercare_cascade_exhausted",
            lambda a: {"alert": a._eldercare_alert_summary()},
        )

    def _cascade_current(self):
        return self.cascade_attempt_ids.filtered(lambda a: a.state == "calling")

    def _cascade_end_current(self, result):
        current = self.sudo()._cascade_current()
        if not current:
            return current
        current.write(
            {"state": "done", "result": result, "ended_at": fields.Datetime.now()}
        )
        current.request_id.action_cancel()
        return current

    # ----------------------------------------------------------- buttons
    def _check_cascade(self, states):
        for alert in self:
            if alert.cascade_state not in states:
                raise UserError(
                    _(
                        "The responder calls of alert %(alert)s are not in a state "
                        "that allows this (now: %(state)s).",
                        alert=alert.name,
                        state=dict(
                            self._fields["cascade_state"]._description_selection(
                                self.env
                            )
                        ).get(alert.cascade_state, _("not started")),
                    )
                )

    def action_cascade_pause(self):
        """The current call goes on; no next call until resumed."""
        self._check_cascade(("running",))
        self.write({"cascade_state": "paused"})
        self._broadcast_update()
        return True

    def action_cascade_resume(self):
        self._check_cascade(("paused",))
        self.write({"cascade_state": "running"})
        self._eldercare_cascade_advance()
        self._broadcast_update()
        return True

    def action_cascade_skip(self):
        """Hang up the current call and call the next responder."""
        self._check_cascade(("running", "paused"))
        for alert in self:
            alert._cascade_end_current("skipped")
        self._eldercare_cascade_advance()
        self._broadcast_update()
        return True

    def action_cascade_stop(self):
        self._check_cascade(("running", "paused"))
        for alert in self:
            alert._cascade_end_current("stopped")
        self.write({"cascade_state": "stopped"})
        self.message_post(body=_("Responder calls stopped."))
        self._broadcast_update()
        return True

    # -------------------------------------------------------------- popup
    def _eldercare_alert_summary(self):
        summary = super()._eldercare_alert_summary()
        alert = self.sudo()
        states = dict(self._fields["cascade_state"]._description_selection(self.env))
        summary["cascade"] = {
            "state": alert.cascade_state or False,
            "state_label": states.get(alert.cascade_state, ""),
            "pass": alert.cascade_pass,
            "attempts": alert.cascade_attempt_ids._summary(),
        }
        return summary
