"""FastAGI handlers: routing decisions (/route) and IVR choices (/ivr)."""

import asyncio
import logging
import re
import time

from .callerid import sanitize
from .clock import utc_iso
from .config import EMERGENCY_QUEUE, SERVICE_QUEUE
from .replica import RouteIndex

_logger = logging.getLogger("eldercare_bridge.routing")

ROUTES = ("emergency", "ivr", "operator", "fallback")
IVR_ROUTES = ("operator", "request", "statement", "emergency", "invalid")
_SAY = re.compile(r"[^0-9.]")


MAX_CHAIN = 9  # escalation steps handed to the dialplan
_DIAL = re.compile(r"^[A-Za-z0-9/@&_.+-]{1,250}$")


def chain_variables(chain):
    """Odoo's escalation chain -> ESC_COUNT, ESC_<n>_TARGET, ESC_<n>_TIME.

    Nothing when the chain is missing or unusable: the dialplan then rings its
    static copy. A target that is not a queue nor a plain dial string is left
    out (it would reach the dialplan's Dial() verbatim)."""
    values, count = {}, 0
    for step in chain if isinstance(chain, list) else []:
        if not isinstance(step, dict) or count >= MAX_CHAIN:
            continue
        target = str(step.get("target") or "")
        seconds = _int(step.get("seconds"))
        if not (target == "queue" or _DIAL.match(target)) or not 5 <= seconds <= 600:
            _logger.warning("escalation step %r ignored", step)
            continue
        count += 1
        values[f"ESC_{count}_TARGET"] = target
        values[f"ESC_{count}_TIME"] = seconds
    if count:
        values["ESC_COUNT"] = count
    return values


def _int(value):
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


class Router:
    def __init__(self, bridge):
        self.bridge = bridge
        self.cfg = bridge.cfg
        self.stats = {
            "routed": 0,
            "fallback": 0,
            "spooled": 0,
            "ivr": 0,
            "local": 0,
            "odoo_in_time": 0,
        }
        self.latencies = []  # seconds, last 10k routing decisions
        # Odoo's routing data kept in the bridge (replica.py): the emergency
        # line is answered without waiting on Odoo
        self.index = RouteIndex(
            bridge.rpc,
            self.cfg.spool_dir,
            refresh=self.cfg.index_refresh,
            full_every=self.cfg.index_full_every,
            timeout=max(self.cfg.rpc_timeout, 60.0),
        )

    # -- helpers ---------------------------------------------------------------
    async def _call_params(self, session):
        env = session.env
        args = session.args
        line = (args[0] if len(args) > 0 else "").strip().lower()
        linkedid = args[1].strip() if len(args) > 1 else ""
        did = args[2].strip() if len(args) > 2 else ""
        if not linkedid:
            linkedid = await session.get_variable("CHANNEL(linkedid)") or env.get(
                "agi_uniqueid", ""
            )
        if not did:
            did = env.get("agi_dnid") or env.get("agi_extension", "")
            if did in ("unknown", "s"):
                did = env.get("agi_extension", "")
        raw = env.get("agi_callerid", "")
        caller, problem = sanitize(raw)
        if problem:
            _logger.warning(
                "caller id %r on %s (linkedid %s): %s - routed as unknown caller",
                raw[:80],
                env.get("agi_channel", "?"),
                linkedid,
                problem,
            )
        name, _problem = sanitize(env.get("agi_calleridname", ""))
        params = {
            "linkedid": linkedid,
            "uniqueid": env.get("agi_uniqueid", ""),
            "channel": env.get("agi_channel", ""),
            "caller_num": caller,
            "caller_name": name if name != caller else "",
            "did": did,
            "context": env.get("agi_context", ""),
            # the dialplan's word on the line (EC_LINE): either side saying
            # "emergency" wins in Odoo's routing decision
            "line": line,
        }
        return line, params

    def _chain(self, result):
        """The escalation chain of Odoo's answer, else the one Odoo gave last
        in bridge_config (cached on disk), else none (the dialplan's copy)."""
        return chain_variables(result.get("chain")) or chain_variables(
            self.bridge.bridge_config.get("escalation_chain")
        )

    def is_emergency_line(self, line, did):
        return (
            line == "emergency"
            or did in self.bridge.emergency_dids
            or (self.index.ready and self.index.line_type(did) == "emergency")
        )

    def _local_decision(self, params, emergency_line):
        """The route from the replica, None when it cannot decide (no replica,
        a DID it does not know): then the bridge waits on Odoo as before."""
        if not self.cfg.route_local or not self.index.ready:
            return None
        route = "emergency" if emergency_line else self.index.local_route(params["did"])
        if route is None:
            return None
        return {
            "route": route,
            "elder_id": self.index.elder_of(params["caller_num"]),
            "alert_id": 0,
            "call_id": 0,
            "queue": EMERGENCY_QUEUE if route == "emergency" else SERVICE_QUEUE,
        }

    async def _set(self, session, values):
        for key, value in values.items():
            await session.set_variable(key, value)

    def _answer_locally(self, params, rpc_task, local, emergency_line):
        """Answer with the replica's route while Odoo's routing request runs
        on: it logs the call and raises the alert of an emergency call, which
        then settles the alarm spooled meanwhile (a late answer never
        replays it twice; Odoo is idempotent on the linkedid anyway)."""
        self.stats["local"] += 1
        if emergency_line:
            self.bridge.track_late_route(params["linkedid"], rpc_task)
        else:
            # Odoo's answer comes too late for the route but still logs the
            # call with its elder (the elder's history, the check-in of an
            # elder who calls in): it runs on, in the batches of the lookups
            # that follow, within the RPC timeout
            rpc_task.add_done_callback(
                lambda future: self._late_service_lookup_done(
                    future, params["linkedid"]
                )
            )
        return dict(local)

    def _late_service_lookup_done(self, future, linkedid):
        if future.cancelled():
            return
        if future.exception() is not None:
            _logger.warning(
                "late routing lookup of service call %s failed: %s",
                linkedid,
                future.exception(),
            )

    # -- /route ----------------------------------------------------------------
    async def handle_route(self, session):
        t0 = time.monotonic()
        line, params = await self._call_params(session)
        emergency_line = self.is_emergency_line(line, params["did"])
        received_at = utc_iso()
        result = None
        # an emergency lookup keeps running after the deadline: its answer
        # (the alert Odoo raised) then settles the spooled alarm without a replay;
        # lookups arriving together go to Odoo as one batch (see batcher.py)
        rpc_task = self.bridge.routes.submit(params)
        local = self._local_decision(params, emergency_line)
        if local is not None and emergency_line:
            # the emergency line never waits on Odoo: the replica's answer now
            result = self._answer_locally(params, rpc_task, local, emergency_line)
        else:
            # Odoo's answer wins when it comes in time: the full routing limit
            # without a replica, a moment with one (then the replica's way)
            wait = self.cfg.route_timeout
            if local is not None:
                wait = min(self.cfg.route_odoo_wait, wait)
            try:
                result = await asyncio.wait_for(asyncio.shield(rpc_task), wait)
                if not isinstance(result, dict) or result.get("route") not in ROUTES:
                    raise ValueError(f"Odoo agi_route answered {result!r}")
                if local is not None:
                    self.stats["odoo_in_time"] += 1
            except asyncio.TimeoutError:
                if local is not None:
                    result = self._answer_locally(
                        params, rpc_task, local, emergency_line
                    )
                else:
                    _logger.warning(
                        "routing lookup for linkedid %s exceeded %d ms: fallback route",
                        params["linkedid"],
                        self.cfg.route_timeout * 1000,
                    )
                    if emergency_line:
                        self.bridge.track_late_route(params["linkedid"], rpc_task)
                    else:
                        rpc_task.cancel()
                    result = None
            except Exception:
                _logger.exception(
                    "routing lookup for linkedid %s failed: %s",
                    params["linkedid"],
                    "the replica's route" if local else "fallback route",
                )
                result = local
        if result is None:
            self.stats["fallback"] += 1
            queue = EMERGENCY_QUEUE if emergency_line else SERVICE_QUEUE
            result = {
                "route": "fallback",
                "elder_id": 0,
                "alert_id": 0,
                "call_id": 0,
                "queue": queue,
            }
        route = result["route"]
        if emergency_line and route not in ("emergency", "fallback"):
            # Odoo called an emergency line something else (a wrong line
            # table): the emergency wins, the alarm goes through the spool
            _logger.warning(
                "Odoo routed emergency-line call %s as %r: emergency queue",
                params["linkedid"],
                route,
            )
            route = "emergency"
        queue = result.get("queue") or (
            EMERGENCY_QUEUE
            if route in ("emergency", "fallback") and emergency_line
            else SERVICE_QUEUE
        )
        if route == "emergency" or (route == "fallback" and emergency_line):
            # an emergency line never lands in the service queue, whatever
            # Odoo's line table says (a DID missing there answers "fallback")
            queue = EMERGENCY_QUEUE
        values = {
            "ROUTE": route,
            "ELDER_ID": _int(result.get("elder_id")),
            "ALERT_ID": _int(result.get("alert_id")),
            "CALL_ID": _int(result.get("call_id")),
            "QUEUE": queue,
        }
        if queue == EMERGENCY_QUEUE:
            values.update(self._chain(result))
        needs_spool = (emergency_line and route == "fallback") or (
            route == "emergency" and not values["ALERT_ID"]
        )
        if needs_spool:
            # the alarm must reach Odoo later: durable first, then answer Asterisk
            self.bridge.spool_alarm(dict(params, received_at=received_at), reason=route)
            self.stats["spooled"] += 1
        elif values["ALERT_ID"]:
            self.bridge.alerted.add(params["linkedid"])
        self.stats["routed"] += 1
        await self._set(session, values)
        elapsed = time.monotonic() - t0
        self.latencies.append(elapsed)
        del self.latencies[:-10000]
        _logger.info(
            "route linkedid=%s caller=%r did=%s line=%s "
            "-> %s queue=%s elder=%s alert=%s (%.1f ms)",
            params["linkedid"],
            params["caller_num"],
            params["did"],
            line or "?",
            route,
            queue,
            values["ELDER_ID"],
            values["ALERT_ID"],
            elapsed * 1000,
        )

    # -- /ivr ------------------------------------------------------------------
    async def handle_ivr(self, session):
        t0 = time.monotonic()
        args = session.args
        digits = re.sub(r"[^0-9*#]", "", args[0] if args else "")[:8]
        linkedid = args[1].strip() if len(args) > 1 else ""
        # the dialplan's own copy of the emergency key(s) and the dialled line
        dialplan_keys = set(re.sub(r"[^0-9*#]", "", args[2]) if len(args) > 2 else "")
        did = args[3].strip()[:32] if len(args) > 3 else ""
        if not linkedid:
            linkedid = await session.get_variable("CHANNEL(linkedid)") or ""
        caller, problem = sanitize(session.env.get("agi_callerid", ""))
        params = {"linkedid": linkedid, "digits": digits, "caller_num": caller}
        emergency_key = bool(digits) and (
            digits in dialplan_keys or digits in self.bridge.ivr_emergency_digits
        )
        self.stats["ivr"] += 1
        try:
            result = await asyncio.wait_for(
                self.bridge.rpc.execute(
                    "ivr_choice", params, timeout=self.cfg.ivr_timeout
                ),
                self.cfg.ivr_timeout,
            )
            if not isinstance(result, dict) or result.get("route") not in IVR_ROUTES:
                raise ValueError(f"Odoo ivr_choice answered {result!r}")
        except Exception as exc:
            _logger.warning(
                "IVR choice %r for linkedid %s failed (%r): caller goes to %s",
                digits,
                linkedid,
                exc,
                "the emergency queue" if emergency_key else "an operator",
                exc_info=not isinstance(exc, asyncio.TimeoutError),
            )
            if emergency_key:
                # the emergency key is an emergency whatever Odoo does: the
                # emergency queue now, the alarm through the spool
                result = {"route": "emergency", "queue": EMERGENCY_QUEUE}
                self.bridge.spool_alarm(
                    {
                        "linkedid": linkedid,
                        "uniqueid": session.env.get("agi_uniqueid", ""),
                        "channel": session.env.get("agi_channel", ""),
                        "caller_num": caller,
                        "did": did,
                        "channel_kind": "ivr",
                        "received_at": utc_iso(),
                    },
                    reason="voice-menu emergency key, Odoo did not answer",
                )
                self.stats["spooled"] += 1
            else:
                result = {"route": "fallback", "queue": SERVICE_QUEUE}
        route = result["route"]
        queue = result.get("queue") or (
            EMERGENCY_QUEUE if route == "emergency" else SERVICE_QUEUE
        )
        if route == "emergency":
            queue = EMERGENCY_QUEUE
            if _int(result.get("alert_id")):
                self.bridge.alerted.add(linkedid)
        say = _SAY.sub("", str(result.get("say") or ""))[:16]
        if say.count(".") > 1 or say in (".", ""):
            say = say.replace(".", "") if say not in (".",) else ""
        whole, _, frac = say.partition(".")
        values = {
            "ROUTE": route,
            "SAY": say,
            "SAY_INT": whole or ("0" if frac else ""),
            "SAY_FRAC": frac,
            "REQUEST_ID": _int(result.get("request_id")),
            "ALERT_ID": _int(result.get("alert_id")),
            "QUEUE": queue,
        }
        if route == "emergency":
            values.update(self._chain(result))
        await self._set(session, values)
        _logger.info(
            "ivr linkedid=%s digits=%r -> %s say=%r queue=%s (%.1f ms)",
            linkedid,
            digits,
            route,
            say,
            queue,
            (time.monotonic() - t0) * 1000,
        )
