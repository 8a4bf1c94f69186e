"""JSON-RPC API called by the telephony bridge process: routing of inbound
calls, alarms the bridge spooled, its configuration and heartbeat, and the
AMI event feed (handled by the call log, eldercare_call_ami.py). The voice
menu is in eldercare_pbx_bridge_ivr.py, the call-log upsert in
eldercare_pbx_bridge_call_log.py, the dialer in eldercare_pbx_bridge_dialer.py;
tests/bridge/contract holds the cases the bridge's fake Odoo and this API
both answer.

Every public method checks that the caller belongs to
``eldercare_asterisk.group_eldercare_pbx_bridge`` and then works as superuser:
the bridge user itself has no other access right.
"""

import copy
import logging
import re

import psycopg2

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import mute_logger

from .eldercare_pbx_wire import (
    INTAKE_KEYS,
    LOCAL_RE,
    QUEUE_EMERGENCY,
    QUEUE_SERVICE,
    WARM_MODELS,
    _caller_id,
    _endpoint_of,
    _event_linkedid,
    _int,
    _parse_ts,
    _text,
)

_logger = logging.getLogger(__name__)


class EldercarePbxBridge(models.AbstractModel):
    _name = "eldercare.pbx.bridge"
    _description = "Telephony Bridge API"

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def _check_bridge_access(self):
        """Refuse anybody but the bridge user, then work as superuser. The
        bridge user never becomes a follower of what it creates (alerts,
        service requests): it would receive their notifications."""
        if not self.env.su and not self.env.user.has_group(
            "eldercare_asterisk.group_eldercare_pbx_bridge"
        ):
            raise AccessError(
                _("Only the telephony bridge user may call the PBX bridge API.")
            )
        return self.sudo().with_context(mail_create_nosubscribe=True)

    @api.model
    @tools.ormcache()
    def _bridge_config_cached(self):
        lines = self.env["eldercare.pbx.line"].sudo().search([])
        users = (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    "|",
                    ("eldercare_extension", "!=", False),
                    ("eldercare_endpoint", "!=", False),
                ]
            )
        )
        endpoints = {}
        endpoints_raw = {}
        extensions = {}
        for user in users:
            if user.eldercare_endpoint:
                endpoints[user.eldercare_endpoint.upper()] = user.id
                endpoints_raw[user.eldercare_endpoint] = user.id
            if user.eldercare_extension:
                extensions[user.eldercare_extension] = user.id
        return {
            "ivr": bool(self.env["eldercare.ivr.option"].sudo().search_count([])),
            "ivr_emergency_digits": sorted(
                self.env["eldercare.ivr.option"]
                .sudo()
                .search([("action", "=", "emergency")])
                .mapped("digit")
            ),
            "lines": {line.number: (line.id, line.line_type) for line in lines},
            "endpoints": endpoints,
            "endpoints_raw": endpoints_raw,
            "extensions": extensions,
        }

    def _line_for_did(self, did):
        lines = self._bridge_config_cached()["lines"]
        if did in lines:
            return lines[did]
        digits = re.sub(r"[^0-9]", "", did or "")
        for number, line in lines.items():
            if digits and re.sub(r"[^0-9]", "", number) == digits:
                return line
        return (False, False)

    def _operator_for_channel(self, channel, callerid=None):
        """Return the res.users id whose phone is this channel, or False."""
        if not channel:
            return False
        config = self._bridge_config_cached()
        endpoint = _endpoint_of(channel).upper()
        if endpoint in config["endpoints"]:
            return config["endpoints"][endpoint]
        match = LOCAL_RE.match(channel)
        if match and match.group(1) in config["extensions"]:
            return config["extensions"][match.group(1)]
        tech, _sep, resource = endpoint.partition("/")
        if resource and resource in config["extensions"]:
            return config["extensions"][resource]
        if callerid and callerid in config["extensions"] and not tech:
            return config["extensions"][callerid]
        return False

    def _find_elder(self, caller):
        if not caller:
            return self.env["res.partner"]
        # never raises: a failed lookup is logged there and gives no elder
        return self.env["res.partner"]._eldercare_find_elder_by_phone(caller)[:1]

    def _normalize(self, caller):
        # _normalize_number never raises: garbage and empty give False
        return self.env["eldercare.phone"]._normalize_number(caller)

    def _alerts_from_calls(self, items):
        """Raise the alerts of calls in one batch; returns ``{linkedid: alert}``.

        ``items`` speak the intake's vocabulary (see eldercare_alert_intake):
        linkedid, caller_number, caller_number_e164, did, channel, received_at,
        elder_id, type_code. A failed batch is retried call by call, so one bad
        call cannot keep the others from being raised; a call that still fails
        is logged with its linkedid and left out: the bridge keeps it in its
        spool and raises it again."""
        Alert = self.env["eldercare.alert"]
        vals_list = [
            {key: value for key, value in item.items() if key in INTAKE_KEYS}
            for item in items
        ]
        if not vals_list:
            return {}
        try:
            with self.env.cr.savepoint():
                alerts = Alert._raise_from_calls(vals_list)
                # recompute in this (superuser) environment: the savepoint's own
                # flush would run as the bridge user, who may read nothing
                self.env.flush_all()
            linkedids = [vals["linkedid"] for vals in vals_list]
            return dict(zip(linkedids, alerts, strict=True))
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise  # Odoo retries the whole request: nothing to do call by call
        except Exception as exc:
            if len(vals_list) > 1:
                _logger.warning(
                    "Alerts of %d calls failed together: raising them one by one",
                    len(vals_list),
                    exc_info=True,
                )
                alerts = {}
                for item in items:
                    alerts.update(self._alerts_from_calls([item]))
                return alerts
            linkedid = vals_list[0]["linkedid"]
            if isinstance(exc, psycopg2.IntegrityError):
                # a concurrent request is raising the same call (not visible
                # in this transaction's snapshot yet): it answers with the
                # alert; the bridge spools this one and its replay finds it
                _logger.warning("Alert of call %s raised concurrently", linkedid)
            else:
                _logger.exception("Could not raise the alert of call %s", linkedid)
            return {}

    # ------------------------------------------------------------------
    # API
    # ------------------------------------------------------------------
    @api.model
    def bridge_config(self):
        self = self._check_bridge_access()
        config = self._bridge_config_cached()
        lines = config["lines"]
        params = self.env["ir.config_parameter"]
        return {
            "emergency_dids": sorted(
                n for n, (_i, t) in lines.items() if t == "emergency"
            ),
            "service_dids": sorted(n for n, (_i, t) in lines.items() if t == "service"),
            "operator_endpoints": copy.deepcopy(config["extensions"]),
            "operator_channels": dict(config["endpoints_raw"]),
            "queues": {"emergency": QUEUE_EMERGENCY, "service": QUEUE_SERVICE},
            # voice-menu keys that raise an alert: the bridge routes them to the
            # emergency queue and spools the alarm when Odoo does not answer
            "ivr_emergency_digits": config["ivr_emergency_digits"],
            # what the dialplan's outbound context may dial (regular
            # expressions on the digits; see res.company)
            "outbound_patterns": self.env.company._eldercare_outbound_pattern_list(),
            # the chain the bridge hands the dialplan when Odoo is too slow
            "escalation_chain": self.env[
                "eldercare.escalation.step"
            ]._eldercare_chain(),
            "agi_bind": params.get_param("eldercare_asterisk.agi_bind", "127.0.0.1"),
            "agi_port": _int(params.get_param("eldercare_asterisk.agi_port"), 4573),
            "agi_allowed_clients": [
                addr.strip()
                for addr in (
                    params.get_param(
                        "eldercare_asterisk.agi_allowed_clients", "127.0.0.1"
                    )
                    or ""
                ).split(",")
                if addr.strip()
            ],
        }

    @api.model
    def warm_up(self):
        """Load in this Odoo process what the first emergency call would load,
        so that call is routed in milliseconds, not after the 300 ms limit:
        the phone numbering plan, the field dependency trees of the records a
        call creates (alert, chatter message, call log) and the popup of the
        latest alert in each on-duty operator's language. Reads only; the
        bridge calls it at start and after every configuration refresh (a
        no-op once warm)."""
        self = self._check_bridge_access()
        # the phone library compiles its numbering-plan patterns on first use
        # (~0.1 s): one mobile and one landline form compile them all
        for number in ("13800000000", "010-65520000"):
            self._normalize(number)
        registry = self.env.registry
        for model in WARM_MODELS:
            if model in self.env:
                registry.get_trigger_tree(list(self.env[model]._fields.values()))
        alert = self.env["eldercare.alert"].search([], order="id desc", limit=1)
        if alert:
            operators = self.env["res.users"]._eldercare_on_duty_operators()
            for lang in set(operators.mapped("lang")) or {self.env.lang}:
                alert.with_context(lang=lang)._eldercare_popup_payload()
        return True

    @api.model
    def agi_route_batch(self, params_list):
        """Routing decisions of several calls, in order, in one transaction.

        The bridge sends the lookups that arrive while one is running as one
        batch: a burst of simultaneous emergency calls becomes one elder query,
        one alert create, one popup push and one call-log create."""
        self = self._check_bridge_access()
        items = []
        for params in params_list if isinstance(params_list, list) else []:
            params = params if isinstance(params, dict) else {}
            did = _text(params.get("did"), 32)
            line_id, line_type = self._line_for_did(did)
            caller = _text(params.get("caller_num"))
            items.append(
                {
                    "linkedid": _text(params.get("linkedid"), 150)
                    or _text(params.get("uniqueid"), 150),
                    "caller_number": caller,
                    # normalised once, passed down to the alert and the call log
                    "caller_number_e164": self._normalize(caller),
                    "did": did,
                    "channel": "emergency_line",
                    "line_id": line_id,
                    "line_type": line_type,
                    "dialplan_line": _text(params.get("line"), 16).lower(),
                    "params": params,
                }
            )
        elders = self.env["res.partner"]._eldercare_find_elders_by_phone(
            [item["caller_number"] for item in items if item["caller_number"]]
        )
        ivr = self._bridge_config_cached()["ivr"]
        for item in items:
            elder = elders.get(item["caller_number"], self.env["res.partner"])
            item["elder_id"] = elder.id
            item["route"], item["queue"] = self._decide_route(
                item["line_type"], item["dialplan_line"], ivr
            )
        # the call rows logged already (a simulated call's row exists before
        # the call): one search, shared with the call-log upsert below
        logged = {
            call.linkedid: call
            for call in self.env["eldercare.call"].search(
                [("linkedid", "in", [i["linkedid"] for i in items if i["linkedid"]])]
            )
        }
        for item in items:
            # a simulated call raises a training alert, end to end
            item["is_training"] = logged.get(
                item["linkedid"], self.env["eldercare.call"]
            ).simulated
        alerts = self._alerts_from_calls(
            [i for i in items if i["route"] == "emergency" and i["linkedid"]]
        )
        now = fields.Datetime.now()
        no_alert = self.env["eldercare.alert"]
        decisions = []
        for item in items:
            alert = alerts.get(item["linkedid"], no_alert)
            elder_id = alert.elder_id.id or item["elder_id"]
            decisions.append((item, item["route"], item["queue"], elder_id, alert))
        calls = self._upsert_calls(
            [
                (
                    item["linkedid"],
                    {
                        "caller_number": item["caller_number"],
                        "caller_number_e164": item["caller_number_e164"],
                        "caller_name": _text(item["params"].get("caller_name")),
                        "elder_id": elder_id,
                        "did": item["did"],
                        "line_id": item["line_id"],
                        "route": route,
                        "queue": queue if route != "ivr" else False,
                        "queued_at": now if route != "ivr" else False,
                        "alert_id": alert.id,
                        "uniqueid": _text(item["params"].get("uniqueid"), 150),
                        "channel": _text(item["params"].get("channel"), 150),
                    },
                    {"direction": "inbound"},
                )
                for item, route, queue, elder_id, alert in decisions
                if item["linkedid"]
            ],
            logged=logged,
        )
        no_call = self.env["eldercare.call"]
        chain = []
        if any(route == "emergency" for _i, route, *_rest in decisions):
            chain = self.env["eldercare.escalation.step"]._eldercare_chain()
        return [
            {
                "route": route,
                "elder_id": elder_id or 0,
                "alert_id": alert.id or 0,
                "call_id": calls.get(item["linkedid"], no_call).id or 0,
                "queue": queue,
                "chain": chain if route == "emergency" else [],
            }
            for item, route, queue, elder_id, alert in decisions
        ]

    @api.model
    def _decide_route(self, line_type, dialplan_line, ivr):
        """The one queue decision of an inbound call: ``(route, queue)``.

        Either side saying "emergency" wins: a DID Odoo knows as an emergency
        line, or one the dialplan knows as emergency (``dialplan_line``, sent
        by the bridge from ``EC_LINE``) even when Odoo's line table says
        "service" or does not know it. The bridge applies this answer as is."""
        if line_type == "emergency" or dialplan_line == "emergency":
            return "emergency", QUEUE_EMERGENCY
        if line_type == "service":
            # no voice menu configured: straight to the operators
            return ("ivr" if ivr else "operator"), QUEUE_SERVICE
        return "fallback", QUEUE_SERVICE

    @api.model
    def bridge_heartbeat(self, report):
        """The bridge's periodic report: ``{"bridge": name, "pending": n,
        "oldest_pending_seconds": s, "dead_letters": [{linkedid, caller_num,
        did, attempts, error, since}], "emergency_queue_members": n}``. Shown
        to supervisors on the alert dashboard."""
        self = self._check_bridge_access()
        report = report if isinstance(report, dict) else {}
        name = _text(report.get("bridge"), 64) or "bridge"
        status = self.env["eldercare.bridge.status"]._record_heartbeat(name, report)
        return {"status_id": status.id}

    @api.model
    def spooled_alerts(self, items):
        """Raise the alarms the bridge spooled while Odoo was unreachable or
        slow (idempotent on linkedid); returns ``[{linkedid, alert_id}]`` for
        the ones now in Odoo."""
        self = self._check_bridge_access()
        calls = []
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            linkedid = _text(item.get("linkedid"), 150) or _text(
                item.get("uniqueid"), 150
            )
            if not linkedid:
                _logger.warning("Spooled alert without linkedid skipped")
                continue
            caller = _text(item.get("caller_num"))
            channel = "ivr" if _text(item.get("channel_kind"), 16) == "ivr" else None
            calls.append(
                {
                    "linkedid": linkedid,
                    "caller_number": caller,
                    "caller_number_e164": self._normalize(caller),
                    "did": _text(item.get("did"), 32),
                    "channel": channel or "emergency_line",
                    "type_code": _text(item.get("type_code"), 32) or False,
                    "received_at": _parse_ts(item.get("received_at")),
                }
            )
        alerts = self._alerts_from_calls(calls)
        no_alert = self.env["eldercare.alert"]
        entries = []
        for call in calls:
            alert = alerts.get(call["linkedid"], no_alert)
            entries.append(
                (
                    call["linkedid"],
                    {
                        "caller_number": call["caller_number"],
                        "caller_number_e164": call["caller_number_e164"],
                        "elder_id": alert.elder_id.id,
                        "did": call["did"],
                        "line_id": self._line_for_did(call["did"])[0],
                        "route": "emergency",
                        "queue": QUEUE_EMERGENCY,
                        "queued_at": call["received_at"],
                        "alert_id": alert.id,
                    },
                    {"direction": "inbound", "started_at": call["received_at"]},
                )
            )
        self._upsert_calls(entries)
        return [
            {"linkedid": call["linkedid"], "alert_id": alerts[call["linkedid"]].id}
            for call in calls
            if call["linkedid"] in alerts
        ]

    # ------------------------------------------------------------------
    # AMI events
    # ------------------------------------------------------------------
    @api.model
    def ami_events(self, events):
        """The bridge's AMI event feed, in order: each event is handled by
        the call log row of its linkedid (``eldercare.call._ami_handlers``),
        in a savepoint of its own; returns the counts."""
        self = self._check_bridge_access()
        if not isinstance(events, list):
            _logger.warning(
                "ami_events: expected a list, got %s", type(events).__name__
            )
            return {"processed": 0, "skipped": 1}
        return self._process_ami_events(events, defer_conflicts=True)

    def _process_ami_events(self, events, defer_conflicts):
        """Handle ``events`` in order. A call row a concurrent request (the
        routing lookup of the same call) updated since this transaction
        began cannot be written in it: with ``defer_conflicts`` that event
        and the later ones of its call are handled right after the commit,
        in order (``_after_commit``), instead of Odoo retrying the whole
        batch after a pause of seconds; without, the conflict is raised."""
        Call = self.env["eldercare.call"]
        handlers = Call._ami_handlers()
        linkedids = {
            _event_linkedid(event) for event in events if isinstance(event, dict)
        } - {""}
        calls = {
            call.linkedid: call
            for call in Call.search([("linkedid", "in", list(linkedids))])
        }
        # the elders of the calls this batch starts, in one query: a burst of
        # alarms must not cost one phone lookup per channel event
        elder_ids = {
            caller: elder.id
            for caller, elder in self.env["res.partner"]
            ._eldercare_find_elders_by_phone(
                _caller_id(event.get("CallerIDNum"))
                for event in events
                if isinstance(event, dict)
                and (
                    (
                        event.get("Event") == "Newchannel"
                        and _event_linkedid(event) not in calls
                    )
                    or event.get("Event") == "NewCallerid"
                )
            )
            .items()
        }
        Call = Call.with_context(eldercare_elder_by_caller=elder_ids)
        calls = {linkedid: call.with_env(Call.env) for linkedid, call in calls.items()}
        processed = skipped = ignored = 0
        deferred, deferred_calls = [], set()
        for event in events:
            if not isinstance(event, dict) or not isinstance(event.get("Event"), str):
                skipped += 1
                _logger.warning("ami_events: malformed event skipped: %.200r", event)
                continue
            handler = handlers.get(event["Event"])
            if not handler:
                ignored += 1
                continue
            linkedid = _event_linkedid(event)
            if linkedid and linkedid in deferred_calls:
                deferred.append(event)
                continue
            if not linkedid:
                skipped += 1
                _logger.warning(
                    "ami_events: %s event without Linkedid skipped", event["Event"]
                )
                continue
            try:
                with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                    call = getattr(calls.get(linkedid, Call), handler)(event, linkedid)
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                if not defer_conflicts:
                    raise
                deferred_calls.add(linkedid)
                deferred.append(event)
                continue
            except Exception as exc:
                skipped += 1
                _logger.warning(
                    "ami_events: %s event of call %s skipped: %s",
                    event["Event"],
                    linkedid,
                    exc,
                )
                continue
            if call:
                calls[linkedid] = call
            processed += 1
        if deferred:
            _logger.info(
                "ami_events: %d event(s) of call(s) %s updated concurrently: "
                "handled after commit",
                len(deferred),
                ", ".join(sorted(deferred_calls)),
            )
            self._after_commit(
                f"AMI events of call(s) {', '.join(sorted(deferred_calls))}",
                lambda env: env["eldercare.pbx.bridge"]._process_ami_events(
                    deferred, defer_conflicts=False
                ),
            )
            processed += len(deferred)
        return {"processed": processed, "skipped": skipped, "ignored": ignored}
