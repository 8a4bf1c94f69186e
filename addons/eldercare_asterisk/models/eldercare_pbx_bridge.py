"""JSON-RPC API called by the telephony bridge process (see CONTRACT.md).

Every public method checks that the caller belongs to
``eldercare_asterisk.group_eldercare_pbx_bridge`` and then works as superuser:
the bridge user itself has no other access right.
"""

import copy
import logging
import re
from datetime import datetime, timezone

import psycopg2

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import mute_logger

_logger = logging.getLogger(__name__)

WARM_MODELS = (
    "eldercare.alert",
    "mail.message",
    "mail.followers",
    "mail.tracking.value",
    "eldercare.call",
)
QUEUE_EMERGENCY = "eldercare-emergency"
QUEUE_SERVICE = "eldercare-service"
MAX_FIELD = 64
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
CHANNEL_SUFFIX_RE = re.compile(r"-[0-9a-fA-F]{6,}(;[12])?$")
LOCAL_RE = re.compile(r"^Local/([^@]+)@", re.IGNORECASE)
# the one vocabulary of a call raising an alert (eldercare.alert._raise_from_calls)
INTAKE_KEYS = (
    "linkedid",
    "caller_number",
    "caller_number_e164",
    "did",
    "channel",
    "received_at",
    "elder_id",
    "type_code",
    "is_training",
)


def _text(value, size=MAX_FIELD):
    """Any value from the wire -> short printable str ('' for garbage)."""
    if value is None or value is False or isinstance(value, dict | list | tuple):
        return ""
    if isinstance(value, bytes):
        value = value.decode(errors="replace")
    return CONTROL_RE.sub("", str(value)).strip()[:size]


def _parse_ts(value):
    """AMI ``Timestamp`` (epoch float) or ISO string -> naive UTC datetime."""
    if not value:
        return fields.Datetime.now()
    try:
        epoch = float(value)
    except (TypeError, ValueError):
        epoch = None
    if epoch is not None:
        try:
            return datetime.fromtimestamp(epoch, tz=timezone.utc).replace(
                tzinfo=None, microsecond=0
            )
        except (ValueError, OverflowError, OSError):
            return fields.Datetime.now()
    try:
        parsed = datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        return fields.Datetime.now()
    if parsed.tzinfo:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed.replace(microsecond=0)


def _int(value, default=0):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _event_linkedid(event):
    return _text(event.get("Linkedid") or event.get("DestLinkedid"), 150)


def _endpoint_of(channel):
    """'PJSIP/1001-0000000a' -> 'PJSIP/1001'."""
    return CHANNEL_SUFFIX_RE.sub("", channel or "")


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

    @api.model
    def _merge_call_vals(self, call, vals, create_vals=None):
        """What of ``vals``/``create_vals`` an existing call row still lacks:
        empty fields are filled, route and queue follow the latest decision."""
        update = {
            key: value
            for key, value in vals.items()
            if value and (not call[key] or key in ("route", "queue"))
        }
        update.update(
            (key, value)
            for key, value in (create_vals or {}).items()
            if value and not call[key] and key not in update
        )
        return update

    def _upsert_calls(self, entries, logged=None):
        """Fill the call log rows of ``entries`` (``(linkedid, vals,
        create_vals)``), creating the missing ones; returns ``{linkedid: call}``.
        One search, one create for the calls not logged yet.

        When another request (the AMI events or the routing lookup of the same
        call) inserts the row at the same moment, this transaction cannot see
        it: the values are then merged into that row right after this
        transaction commits (:meth:`_merge_calls_after_commit`), never dropped."""
        Call = self.env["eldercare.call"]
        calls = {}
        if not entries:
            return calls
        if logged is None:
            logged = {
                call.linkedid: call
                for call in Call.search([("linkedid", "in", [e[0] for e in entries])])
            }
        calls.update(logged)
        new = {}
        for linkedid, vals, create_vals in entries:
            call = calls.get(linkedid)
            if call:
                update = self._merge_call_vals(call, vals, create_vals)
                if update:
                    call.write(update)
            elif linkedid not in new:
                new[linkedid] = (vals, create_vals or {})
        if not new:
            return calls
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                created = Call.create(
                    [dict(v, linkedid=lid, **c) for lid, (v, c) in new.items()]
                )
                calls.update(zip(new, created, strict=True))
        except psycopg2.IntegrityError:
            if len(new) > 1:  # one of them was logged concurrently: one by one
                for linkedid, (vals, create_vals) in new.items():
                    calls.update(self._upsert_calls([(linkedid, vals, create_vals)]))
            else:
                linkedid, (vals, create_vals) = next(iter(new.items()))
                _logger.info(
                    "Call %s logged concurrently: merged after commit", linkedid
                )
                self._merge_calls_after_commit(linkedid, vals, create_vals)
        return calls

    def _merge_calls_after_commit(self, linkedid, vals, create_vals):
        """Merge the values into the row another transaction created, once this
        one (which may hold the alert the values point to) is committed."""
        dbname = self.env.cr.dbname
        context = dict(self.env.context)

        def merge():
            registry = self.env.registry
            with registry.cursor() as cr:
                env = api.Environment(cr, api.SUPERUSER_ID, context)
                env["eldercare.pbx.bridge"]._merge_call_now(linkedid, vals, create_vals)

        _logger.debug("merge of call %s in %s scheduled", linkedid, dbname)
        self.env.cr.postcommit.add(merge)

    @api.model
    def _merge_call_now(self, linkedid, vals, create_vals=None):
        call = self.env["eldercare.call"].search([("linkedid", "=", linkedid)], limit=1)
        if not call:
            _logger.warning("Call %s to merge into is gone", linkedid)
            return call
        update = self._merge_call_vals(call, vals, create_vals)
        if update:
            call.write(update)
        return call

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
    def ivr_choice(self, params):
        self = self._check_bridge_access()
        params = params if isinstance(params, dict) else {}
        linkedid = _text(params.get("linkedid"), 150)
        digits = _text(params.get("digits"), 8)
        caller = _text(params.get("caller_num"))
        call = self.env["eldercare.call"]
        if linkedid:
            call = call.search([("linkedid", "=", linkedid)], limit=1)
        elder = call.elder_id or self._find_elder(caller)
        caller = caller or call.caller_number or ""
        result = {
            "route": "invalid",
            "say": "",
            "request_id": 0,
            "alert_id": 0,
            "queue": QUEUE_SERVICE,
        }
        option = self.env["eldercare.ivr.option"]
        if len(digits) == 1:
            option = option.search([("digit", "=", digits)], limit=1)
        request = False
        if option.action == "emergency":
            alert_linkedid = linkedid or f"ivr-{caller}-{fields.Datetime.now()}"
            alert = self._alerts_from_calls(
                [
                    {
                        "linkedid": alert_linkedid,
                        "caller_number": caller,
                        "caller_number_e164": call.caller_number_e164
                        or self._normalize(caller),
                        "did": call.did or "",
                        "channel": "ivr",
                        "elder_id": elder.id,
                    }
                ]
            ).get(alert_linkedid, self.env["eldercare.alert"])
            result.update(
                route="emergency",
                alert_id=alert.id or 0,
                queue=QUEUE_EMERGENCY,
                chain=self.env["eldercare.escalation.step"]._eldercare_chain(),
            )
            if call and alert:
                call.alert_id = alert
            elder = alert.elder_id or elder
        elif option.action == "service":
            request = self._request_from_call(option, caller, linkedid, elder)
            if request:
                result.update(
                    route="request", request_id=request.id, say=request.display_name
                )
            else:
                # no household addon (or the request failed): a person takes it
                result.update(route="operator")
        elif option.action == "statement":
            say = self._statement_say(elder) if elder else None
            if say is None:
                # nobody to read a statement for (unknown caller, or no billing
                # addon installed): an operator takes the call
                result.update(route="operator")
            else:
                # an empty ``say`` plays "the amount is being checked"
                result.update(route="statement", say=say, amount_checking=not say)
        elif option.action == "operator":
            result.update(route="operator")
        if call:
            choices = ",".join(filter(None, [call.ivr_choices, digits or "-"]))
            vals = {"ivr_choices": choices[:64], "route": result["route"]}
            if result["route"] in ("operator", "emergency"):
                vals["queue"] = result["queue"]
                if not call.queued_at:
                    vals["queued_at"] = fields.Datetime.now()
            if request:
                vals["request_ref"] = f"{request._name},{request.id}"
            if elder and not call.elder_id:
                vals["elder_id"] = elder.id
            call.write(vals)
        return result

    def _request_from_call(self, option, caller, linkedid, elder):
        """Hook: the household service request ordered with voice-menu key
        ``option`` by ``caller`` on call ``linkedid`` (``elder`` may be
        empty), or False when none can be made: the call then goes to an
        operator. Without household services nothing can be ordered by phone;
        ``eldercare_asterisk_household`` overrides it."""
        return False

    def _statement_say(self, elder):
        """Hook: what the voice menu reads out for ``elder``'s statement: the
        amount due as ``"123.40"``, ``""`` when the amount is being checked
        (the dialplan plays that prompt instead), or None when no statement can
        be read (the call goes to an operator). Without billing there is no
        statement; ``eldercare_asterisk_billing`` overrides it."""
        return None

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
        self = self._check_bridge_access()
        if not isinstance(events, list):
            _logger.warning(
                "ami_events: expected a list, got %s", type(events).__name__
            )
            return {"processed": 0, "skipped": 1}
        handlers = {
            "Newchannel": self._on_newchannel,
            "DialBegin": self._on_dial_begin,
            "BridgeEnter": self._on_bridge_enter,
            "AgentConnect": self._on_agent_connect,
            "QueueCallerJoin": self._on_queue_caller_join,
            "DialEnd": self._on_dial_end,
            "Hangup": self._on_hangup,
            "VarSet": self._on_varset,
            "UserEvent": self._on_user_event,
        }
        linkedids = {
            _event_linkedid(event) for event in events if isinstance(event, dict)
        } - {""}
        calls = {
            call.linkedid: call
            for call in self.env["eldercare.call"].search(
                [("linkedid", "in", list(linkedids))]
            )
        }
        processed = skipped = ignored = 0
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
            if not linkedid:
                skipped += 1
                _logger.warning(
                    "ami_events: %s event without Linkedid skipped", event["Event"]
                )
                continue
            try:
                with self.env.cr.savepoint():
                    call = handler(event, linkedid, calls.get(linkedid))
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise  # Odoo retries the whole batch, in order
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
        return {"processed": processed, "skipped": skipped, "ignored": ignored}

    def _on_newchannel(self, event, linkedid, call):
        channel = _text(event.get("Channel"), 150)
        uniqueid = _text(event.get("Uniqueid"), 150)
        if call:
            # a row logged before the call existed (simulated call): the routing
            # lookup, running at this very moment, fills the channel; writing the
            # row here too would make one of the two transactions fail
            if not call.channel and uniqueid == linkedid and call.route:
                call.write({"channel": channel, "uniqueid": uniqueid})
            return call
        if uniqueid and uniqueid != linkedid:
            return call  # a later leg of a call we do not log
        caller = _text(event.get("CallerIDNum"))
        exten = _text(event.get("Exten"), 32)
        operator_id = self._operator_for_channel(channel)
        vals = {
            "uniqueid": uniqueid,
            "channel": channel,
            "started_at": _parse_ts(event.get("Timestamp")),
        }
        if operator_id:
            vals.update(
                direction="outbound", initiated_by_id=operator_id, dialed_number=exten
            )
        else:
            line_id, _line_type = self._line_for_did(exten)
            vals.update(
                direction="inbound",
                caller_number=caller,
                caller_number_e164=self._normalize(caller),
                caller_name=_text(event.get("CallerIDName")),
                did=exten if line_id else False,
                line_id=line_id,
            )
        return self._upsert_calls([(linkedid, {}, vals)]).get(
            linkedid, self.env["eldercare.call"]
        )

    def _on_dial_begin(self, event, linkedid, call):
        if not call:
            return call
        dest = _text(event.get("DestChannel"), 150)
        user_id = self._operator_for_channel(dest, _text(event.get("DestCallerIDNum")))
        if not user_id or user_id in call.popup_user_ids.ids:
            return call
        if call.direction == "outbound":
            return call
        user = self.env["res.users"].browse(user_id)
        call._send_operator_popup(user)
        return call

    def _on_bridge_enter(self, event, linkedid, call):
        if not call:
            return call
        channel = _text(event.get("Channel"), 150)
        ts = _parse_ts(event.get("Timestamp"))
        operator_id = self._operator_for_channel(channel)
        count = _int(event.get("BridgeNumChannels"))
        vals = {}
        if operator_id and call.direction == "inbound" and not call.operator_id:
            vals.update(operator_id=operator_id, operator_channel=channel)
        if not call.answered_at and (
            count >= 2 or (operator_id and call.direction == "inbound")
        ):
            vals["answered_at"] = ts
            call.alert_id._eldercare_record_pickup(ts)
        if vals:
            call.write(vals)
        return call

    def _on_agent_connect(self, event, linkedid, call):
        if not call:
            return call
        dest = _text(event.get("DestChannel"), 150)
        operator_id = self._operator_for_channel(dest) or self._operator_for_channel(
            _text(event.get("Interface"), 150)
        )
        vals = {"queue": _text(event.get("Queue")) or call.queue}
        if operator_id and not call.operator_id:
            vals.update(operator_id=operator_id, operator_channel=dest)
        if not call.answered_at:
            vals["answered_at"] = _parse_ts(event.get("Timestamp"))
            call.alert_id._eldercare_record_pickup(vals["answered_at"])
        call.write(vals)
        return call

    def _on_queue_caller_join(self, event, linkedid, call):
        queue = _text(event.get("Queue"))
        if not call or not queue:
            return call
        vals = {}
        if call.queue != queue:
            vals["queue"] = queue
        if not call.queued_at:
            vals["queued_at"] = _parse_ts(event.get("Timestamp"))
        if vals:
            call.write(vals)
        return call

    def _on_dial_end(self, event, linkedid, call):
        status = _text(event.get("DialStatus"), 32)
        if call and status and call.direction == "outbound":
            call.dial_status = status
        return call

    def _on_hangup(self, event, linkedid, call):
        if not call or call.ended_at:
            return call
        uniqueid = _text(event.get("Uniqueid"), 150)
        if uniqueid not in (linkedid, call.uniqueid):
            return call  # only the first channel ends the call
        cause = _text(event.get("Cause"), 8)
        ts = _parse_ts(event.get("Timestamp"))
        if call.answered_at:
            disposition = "answered"
        elif call.route in ("request", "statement"):
            disposition = "self_service"
        elif cause == "17" or call.dial_status == "BUSY":
            disposition = "busy"
        elif call.dial_status in ("CHANUNAVAIL", "CONGESTION", "INVALIDARGS"):
            disposition = "failed"
        elif cause in ("19", "18", "21") or call.direction == "outbound":
            disposition = "no_answer"
        elif cause in ("1", "3", "27", "34", "38", "41", "42"):
            disposition = "failed"
        else:
            disposition = "abandoned"
        call.alert_id._eldercare_close_escalation("ended")
        call.write(
            {
                "ended_at": max(ts, call.started_at),
                "disposition": disposition,
                "hangup_cause": _text(
                    f"{cause} {_text(event.get('Cause-txt'))}".strip(), 64
                ),
            }
        )
        return call

    def _on_user_event(self, event, linkedid, call):
        """``EldercareEscalation``: the dialplan starts ringing a step of the
        escalation chain; written on the call's alert."""
        if _text(event.get("UserEvent"), 32) != "EldercareEscalation":
            return call
        alert = call.alert_id if call else self.env["eldercare.alert"]
        if not alert:
            alert = self.env["eldercare.alert"].search(
                [("call_linkedid", "=", linkedid)], limit=1
            )
        if not alert:
            _logger.info("Escalation step of call %s before its alert", linkedid)
            return call
        alert._eldercare_record_escalation(
            _int(event.get("Step")),
            _text(event.get("Target"), 250) or "?",
            _int(event.get("Seconds")),
            _parse_ts(event.get("Timestamp")),
        )
        return call

    def _on_varset(self, event, linkedid, call):
        if _text(event.get("Variable")) != "EC_CALL_ID" or call:
            return call
        try:
            call_id = int(event.get("Value"))
        except (TypeError, ValueError):
            return call
        logged = self.env["eldercare.call"].browse(call_id).exists()
        if logged and not logged.ended_at and logged.linkedid != linkedid:
            logged.linkedid = linkedid
            return logged
        return call
