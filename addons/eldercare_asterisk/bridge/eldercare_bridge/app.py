"""The bridge process: FastAGI server + AMI client + Odoo JSON-RPC + spool."""

import asyncio
import contextlib
import gc
import json
import logging
import os
import signal
import time

from .agi import FastAGIServer
from .ami import AMIClient
from .backoff import backoff_delay
from .batcher import RouteBatcher
from .callerid import sanitize
from .clock import utc_iso
from .dialer import Dialer
from .events import EventForwarder
from .held_events import HeldEvents
from .keyfile import KeyFile
from .odoo_rpc import OdooError, OdooRPC, OdooUnavailable
from .outbound import OutboundGuard
from .recordings import RecordingUploader
from .routing import Router
from .spool import Spool

_logger = logging.getLogger("eldercare_bridge")

FALLBACK_USEREVENT = "EldercareFallback"
EMERGENCY_QUEUE_PREFIX = "eldercare-emergency"
REPLAY_DELAY = 1.0  # seconds between spooling an alarm and replaying it
AMI_EVENT_MASK = "system,call,agent,user,cdr"
REPLAY_CHUNK = 10  # alarms per spooled_alerts call: each chunk commits on its own
ASTDB_FAMILY = "eldercare_fallback"  # the dialplan's record of unanswered AGIs
ASTDB_MAX_AGE = 7 * 86400  # older records are history, not alarms to raise


class Bridge:
    def __init__(self, cfg, rpc=None):
        self.cfg = cfg
        self.rpc = rpc or OdooRPC(
            cfg.odoo_url,
            cfg.odoo_db,
            cfg.odoo_login,
            cfg.odoo_password,
            pool_size=cfg.rpc_pool_size,
            timeout=cfg.rpc_timeout,
        )
        self.keyfile = KeyFile(
            self.rpc, cfg.odoo_password_file, cfg.odoo_password_check
        )
        self.keyfile.load()
        self.spool = Spool(cfg.spool_dir)
        # at most 2 batches in Odoo at once: the pool keeps room for events
        self.routes = RouteBatcher(
            self.rpc,
            max_batch=cfg.route_batch_max,
            max_inflight=max(1, min(2, cfg.rpc_pool_size - 1)),
            timeout=cfg.rpc_timeout,
        )
        self.router = Router(self)
        self.events = EventForwarder(self)
        self.outbound = OutboundGuard(self)
        self.recordings = RecordingUploader(
            self, cfg.recording_dir, cfg.recording_interval
        )
        self.held_events = HeldEvents(self)
        self.agi = FastAGIServer(
            cfg.agi_bind,
            cfg.agi_port,
            {
                "route": self.router.handle_route,
                "ivr": self.router.handle_ivr,
                "outbound": self.outbound.handle_outbound,
            },
        )
        self.agi.allowed = set(cfg.agi_allowed_clients)
        self.ami = None
        if cfg.ami_secret or cfg.ami_user:
            self.ami = AMIClient(
                cfg.ami_host,
                cfg.ami_port,
                cfg.ami_user,
                cfg.ami_secret,
                on_event=self.on_ami_event,
                on_login=self.resync,
                # channel, queue, UserEvent and Cdr events only: no Newexten or
                # VarSet flood (the "dialplan" class) on a busy PBX
                events=AMI_EVENT_MASK,
            )
        self.dialer = Dialer(
            self,
            poll_interval=cfg.dial_poll_interval,
            tts_dir=cfg.tts_dir,
            tts_prefix=cfg.tts_prefix,
        )
        self.emergency_dids = set()
        self.ivr_emergency_digits = set()
        self.bridge_config = {}
        self.alerted = set()  # linkedids Odoo confirmed an alert for (this run)
        self.live = {}  # uniqueid -> {"Linkedid", "Channel"} from AMI
        self.late_routes = {}  # linkedid -> routing request still running in Odoo
        self.emergency_queue_members = -1  # unknown until AMI answers
        self._replay_wake = asyncio.Event()
        self._tasks = []
        self._stopped = asyncio.Event()
        self._load_cached_config()

    # -- Odoo bridge_config (cached on disk for when Odoo is down) -----------
    @property
    def _config_cache(self):
        return os.path.join(self.cfg.spool_dir, "bridge_config.json")

    def _load_cached_config(self):
        try:
            with open(self._config_cache) as fh:
                self._apply_config(json.load(fh))
        except (OSError, ValueError):
            pass

    def _apply_config(self, conf):
        if not isinstance(conf, dict):
            return
        self.bridge_config = conf
        self.emergency_dids = {str(d) for d in conf.get("emergency_dids") or []}
        self.ivr_emergency_digits = {
            str(d) for d in conf.get("ivr_emergency_digits") or []
        }
        allowed = self.cfg.agi_allowed_clients or conf.get("agi_allowed_clients") or ()
        self.agi.allowed = {str(a).strip() for a in allowed if str(a).strip()}

    async def refresh_config(self):
        conf = await self.rpc.execute("bridge_config", timeout=self.cfg.rpc_timeout)
        self._apply_config(conf)
        tmp = self._config_cache + ".tmp"
        with open(tmp, "w") as fh:
            json.dump(conf, fh)
        os.replace(tmp, self._config_cache)
        return conf

    async def warm_up(self):
        """Have Odoo load what the first emergency call would (a freshly
        started Odoo takes ~0.2-0.8 s over its first alert, past the 300 ms
        routing limit). Cheap once warm; it follows every configuration
        refresh, so an Odoo restarted under a running bridge is warmed too. A
        failure only costs the first call its fast route: logged, not fatal."""
        try:
            await self.rpc.execute("warm_up", timeout=self.cfg.rpc_timeout)
        except (OdooError, OdooUnavailable, asyncio.TimeoutError) as exc:
            _logger.warning("Odoo warm-up failed (%r): first call may be slow", exc)

    async def _config_loop(self):
        attempt = 0
        while True:
            try:
                await self.refresh_config()
                await self.warm_up()
                attempt = 0
                await asyncio.sleep(self.cfg.config_refresh)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                delay = backoff_delay(attempt, base=1.0, cap=30.0)
                attempt += 1
                _logger.warning(
                    "bridge_config from Odoo failed (%r); retry in %.0f s", exc, delay
                )
                await asyncio.sleep(delay)

    # -- spool -------------------------------------------------------------
    def spool_alarm(self, params, reason=""):
        linkedid = params.get("linkedid")
        if not linkedid:
            _logger.error("alarm without linkedid cannot be spooled: %r", params)
            return False
        if linkedid in self.alerted:
            return False
        try:
            added = self.spool.add(linkedid, params)
        except Exception:
            _logger.critical(
                "EMERGENCY ALARM NOT PERSISTED (spool "
                "write failed) linkedid=%s params=%r",
                linkedid,
                params,
                exc_info=True,
            )
            return False
        if added:
            _logger.warning(
                "alarm linkedid=%s caller=%r did=%s spooled "
                "(%s); will be raised when Odoo answers",
                linkedid,
                params.get("caller_num"),
                params.get("did"),
                reason,
            )
        # let the routing request that timed out finish in Odoo first: the
        # replay then simply finds its alert (idempotent) instead of racing it
        asyncio.get_running_loop().call_later(REPLAY_DELAY, self._replay_wake.set)
        return added

    def track_late_route(self, linkedid, task):
        """An emergency routing request that missed the AGI deadline is still
        running in Odoo: when it answers with an alert, the spooled alarm is
        settled; until then the replay leaves that linkedid alone."""
        self.late_routes[linkedid] = task

        def done(fut):
            self.late_routes.pop(linkedid, None)
            alert_id = 0
            if not fut.cancelled() and fut.exception() is None:
                res = fut.result()
                if isinstance(res, dict):
                    alert_id = res.get("alert_id") or 0
            if alert_id and linkedid in self.spool.pending:
                try:
                    self.spool.mark_done(linkedid, alert_id)
                except OSError:
                    _logger.exception("spool write failed for %s", linkedid)
                self.alerted.add(linkedid)
                _logger.info("late routing answer for %s: alert %s", linkedid, alert_id)
            self._replay_wake.set()

        task.add_done_callback(done)

    async def replay_spool_once(self):
        """One try of the alarms that are due: None when none is due.

        An alarm that failed before goes alone, so a record Odoo keeps
        refusing never takes the others down with it. Odoo unreachable raises
        (the loop backs off as a whole); Odoo answering without recording an
        alarm, or refusing the request, counts against those alarms only."""
        due = self.spool.due(exclude=self.late_routes)
        if not due:
            return None
        if self.spool.attempts(due[0]["linkedid"]):
            items = due[:1]
        else:
            items = [i for i in due if not self.spool.attempts(i["linkedid"])]
            items = items[:REPLAY_CHUNK]
        try:
            result = await self.rpc.execute(
                "spooled_alerts", items, timeout=self.cfg.rpc_timeout
            )
        except OdooError as exc:
            # Odoo answered with an error: these alarms failed, not Odoo
            for item in items:
                self.spool.record_failure(item["linkedid"], f"Odoo error: {exc}")
            _logger.error(
                "Odoo refused spooled alarm(s) %s (%s); each retried on its own",
                [i["linkedid"] for i in items],
                exc,
            )
            return 0
        raised = 0
        for row in result or []:
            if isinstance(row, dict) and row.get("linkedid") and row.get("alert_id"):
                self.spool.mark_done(row["linkedid"], row["alert_id"])
                self.alerted.add(str(row["linkedid"]))
                raised += 1
        missing = [i["linkedid"] for i in items if i["linkedid"] in self.spool.pending]
        for linkedid in missing:
            self.spool.record_failure(linkedid, "Odoo did not record it")
        if missing:
            _logger.error(
                "Odoo did not record spooled alarm(s) %s; each retried on its own",
                missing,
            )
        if raised:
            _logger.info(
                "raised %d spooled alarm(s) in Odoo (%d left)", raised, len(self.spool)
            )
        self.spool.compact()
        return raised

    async def _replay_loop(self):
        attempt = 0  # Odoo unreachable: the whole spool waits, capped backoff
        while True:
            wait = self.spool.next_try_in(exclude=self.late_routes)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(
                    self._replay_wake.wait(), 30 if wait is None else max(wait, 0.05)
                )
            self._replay_wake.clear()
            while True:
                try:
                    if await self.replay_spool_once() is None:
                        break  # nothing due: wait for the next due alarm
                    attempt = 0
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    delay = backoff_delay(attempt, base=1.0, cap=30.0)
                    attempt += 1
                    _logger.warning(
                        "%d spooled alarm(s) wait for Odoo (%r); retry in %.0f s",
                        len(self.spool),
                        exc,
                        delay,
                        exc_info=attempt == 1,
                    )
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(self._replay_wake.wait(), delay)
                    self._replay_wake.clear()

    # -- heartbeat -------------------------------------------------------------
    def heartbeat_report(self):
        return {
            "bridge": self.cfg.bridge_name,
            "pending": len(self.spool),
            "oldest_pending_seconds": round(self.spool.oldest_pending_seconds(), 1),
            "dead_letters": self.spool.dead_letters(),
            "emergency_queue_members": self.emergency_queue_members,
        }

    async def _count_emergency_members(self):
        """Logged-in, unpaused members of the emergency queue (-1: unknown)."""
        if not self.ami or not self.ami.connected.is_set():
            return -1
        try:
            frames = await self.ami.action_list(
                "QueueStatus", timeout=5, Queue=EMERGENCY_QUEUE_PREFIX
            )
        except Exception as exc:
            _logger.warning("QueueStatus failed (%r): queue members unknown", exc)
            return -1
        members = [f for f in frames if f.get("Event") == "QueueMember"]
        return sum(
            1
            for m in members
            if str(m.get("Paused", "0")) == "0"
            and str(m.get("Status", "")) not in ("4", "5")  # invalid, unavailable
        )

    async def _heartbeat_loop(self):
        while True:
            try:
                self.emergency_queue_members = await self._count_emergency_members()
                await self.rpc.execute(
                    "bridge_heartbeat",
                    self.heartbeat_report(),
                    timeout=self.cfg.rpc_timeout,
                )
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                _logger.warning("heartbeat to Odoo failed (%r)", exc)
            await asyncio.sleep(self.cfg.heartbeat_interval)

    # -- AMI -----------------------------------------------------------------
    def on_ami_event(self, frame):
        name = frame.get("Event")
        if not isinstance(name, str):
            return
        if name == "UserEvent":
            # a header the dialplan repeats (the channel's own Linkedid...)
            # arrives as a list: one value each
            frame = {
                k: v[0] if isinstance(v, list) and v else v for k, v in frame.items()
            }
        self.dialer.on_event(frame)
        uniqueid = frame.get("Uniqueid")
        if name == "Newchannel" and isinstance(uniqueid, str):
            self.live[uniqueid] = {
                "Linkedid": frame.get("Linkedid", ""),
                "Channel": frame.get("Channel", ""),
            }
            if len(self.live) > 50000:
                self.live.pop(next(iter(self.live)))
        elif name == "Hangup" and isinstance(uniqueid, str):
            self.live.pop(uniqueid, None)
        elif name == "UserEvent" and frame.get("UserEvent") == FALLBACK_USEREVENT:
            self._alarm_from_frame(frame, "AGI unreachable (dialplan fallback)")
        if self.events.wants(name) and not self.held_events.hold(frame):
            self.events.push(frame)

    def _alarm_from_frame(self, frame, reason):
        raw = frame.get("CallerIDNum", "")
        caller, problem = sanitize(raw if isinstance(raw, str) else "")
        if problem:
            _logger.warning(
                "caller id %r in AMI %s: %s", raw, frame.get("Event"), problem
            )
        did = frame.get("DID") or frame.get("Exten") or ""
        params = {
            "linkedid": frame.get("Linkedid", ""),
            "uniqueid": frame.get("Uniqueid", ""),
            "channel": frame.get("Channel", ""),
            "caller_num": caller,
            "caller_name": "",
            "did": did if isinstance(did, str) else "",
            "context": frame.get("Context", ""),
            "received_at": utc_iso(),
        }
        if frame.get("Kind") == "ivr":
            params["channel_kind"] = "ivr"
        return self.spool_alarm(params, reason)

    async def reconcile_fallbacks(self):
        """Emergency calls the dialplan routed without the bridge (it was down)
        left a record in AstDB (``eldercare_fallback/<linkedid>`` =
        ``epoch|caller|did|line or ivr``): each becomes a spooled alarm, even if
        the call ended long ago. Odoo is idempotent on the linkedid, so a record
        seen again after a restart never raises a second alert. The records
        are not deleted (the AMI user has no "system" write right); older than
        7 days they are ignored."""
        try:
            frames = await self.ami.action_list(
                "DBGetTree", timeout=10, Family=ASTDB_FAMILY
            )
        except Exception as exc:
            if "not found" in str(exc):
                return 0  # no fallback ever recorded
            _logger.warning("AstDB %s not readable (%r)", ASTDB_FAMILY, exc)
            return 0
        now = time.time()
        spooled = 0
        for frame in frames:
            key = str(frame.get("Key") or "")
            linkedid = key.rstrip("/").rpartition("/")[2]
            parts = str(frame.get("Val") or "").split("|")
            try:
                epoch = float(parts[0])
            except ValueError:
                continue
            if not linkedid or now - epoch > ASTDB_MAX_AGE:
                continue
            if linkedid in self.alerted or linkedid in self.spool.done:
                continue
            caller, problem = sanitize(parts[1] if len(parts) > 1 else "")
            params = {
                "linkedid": linkedid,
                "caller_num": caller,
                "did": parts[2] if len(parts) > 2 else "",
                "received_at": utc_iso(epoch),
            }
            if len(parts) > 3 and parts[3] == "ivr":
                params["channel_kind"] = "ivr"
            if self.spool_alarm(
                params, "recorded by the dialplan while the bridge was down"
            ):
                spooled += 1
        if spooled:
            _logger.warning(
                "%d emergency call(s) of the time the bridge was down found in AstDB:"
                " spooled",
                spooled,
            )
        return spooled

    async def resync(self):
        """After every AMI login: sync live channels, alarms and Odoo's call log."""
        await self.reconcile_fallbacks()
        entries = await self.ami.action_list("CoreShowChannels", timeout=15)
        live_now = {e.get("Uniqueid") for e in entries}
        self.dialer.after_resync(live_now)
        gone = [u for u in self.live if u not in live_now]
        for uniqueid in gone:
            info = self.live.pop(uniqueid)
            if self.events.wants("Hangup"):
                self.events.push(
                    {
                        "Event": "Hangup",
                        "Uniqueid": uniqueid,
                        "Linkedid": info.get("Linkedid", ""),
                        "Channel": info.get("Channel", ""),
                        "Cause": "0",
                        "Cause-txt": "ended while the bridge was disconnected from AMI",
                        "EcSynthetic": "1",
                    },
                    urgent=False,
                )
        spooled = 0
        for entry in entries:
            uniqueid = entry.get("Uniqueid")
            if isinstance(uniqueid, str):
                self.live[uniqueid] = {
                    "Linkedid": entry.get("Linkedid", ""),
                    "Channel": entry.get("Channel", ""),
                }
            app_data = entry.get("ApplicationData", "")
            if (
                entry.get("Application") == "Queue"
                and isinstance(app_data, str)
                and app_data.startswith(EMERGENCY_QUEUE_PREFIX)
                and entry.get("Linkedid") not in self.alerted
            ) and self._alarm_from_frame(entry, "resync: emergency call live in queue"):
                spooled += 1
            if self.events.wants("Newchannel"):
                ev = dict(entry)
                ev["Event"] = "CoreShowChannel"
                self.events.push(ev, urgent=False)
        _logger.info(
            "AMI resync: %d live channel(s), %d ended while disconnected, %d alarm(s) "
            "re-checked through the spool",
            len(entries),
            len(gone),
            spooled,
        )

    # -- lifecycle -------------------------------------------------------------
    async def start(self):
        # what the process holds from now on (modules, configuration, the
        # replica's disk copy) leaves the cyclic collector's full passes:
        # each took ~20 ms on the event loop, triggered by the thousands of
        # rows of a replica page
        gc.collect()
        gc.freeze()
        await self.agi.start()
        if len(self.spool):
            _logger.warning(
                "replaying %d spooled alarm(s) from a previous run", len(self.spool)
            )
            self._replay_wake.set()
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._replay_loop(), name="spool-replay"),
            loop.create_task(self._config_loop(), name="config"),
            loop.create_task(self._heartbeat_loop(), name="heartbeat"),
            self.events.start(),
        ]
        for task in (self.recordings.start(), self.keyfile.start()):
            if task:
                self._tasks.append(task)
        self._tasks.append(self.held_events.start())
        if self.cfg.route_local:
            self._tasks.append(self.router.index.start())
        if self.ami:
            self._tasks += [self.ami.start(), self.dialer.start()]
        _logger.info(
            "eldercare bridge up: AGI %s:%s, AMI %s:%s, Odoo %s db=%s, spool %s",
            self.cfg.agi_bind,
            self.agi.port,
            self.cfg.ami_host,
            self.cfg.ami_port,
            self.cfg.odoo_url,
            self.cfg.odoo_db,
            self.spool.path,
        )

    async def stop(self):
        await self.agi.stop()
        if self.ami:
            await self.ami.stop()
        await self.events.stop()
        await self.routes.close()
        # Python 3.11's asyncio.wait_for can swallow a cancellation that races
        # with its inner future finishing; keep cancelling until every task is
        # really gone, so stopping never hangs.
        pending = {*self._tasks, *self.late_routes.values()}
        while pending:
            for task in pending:
                task.cancel()
            _done, pending = await asyncio.wait(pending, timeout=1.0)
        await self.rpc.close()
        self.spool.close()
        self._stopped.set()

    def stats(self):
        return {
            "agi": self.agi.stats,
            "routing": self.router.stats,
            "route_batches": self.routes.stats,
            "events": self.events.stats,
            "ami": self.ami.stats if self.ami else {},
            "dialer": self.dialer.stats,
            "outbound": self.outbound.stats,
            "recordings": self.recordings.stats,
            "spool_pending": len(self.spool),
            "spool_dead_letters": len(self.spool.dead_letters()),
            "odoo": self.rpc.stats,
        }


async def run(cfg):
    bridge = Bridge(cfg)
    await bridge.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    t0 = time.monotonic()
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), 300)
        except asyncio.TimeoutError:
            _logger.info(
                "stats after %.0f s: %s", time.monotonic() - t0, bridge.stats()
            )
    _logger.info("stopping: %s", bridge.stats())
    await bridge.stop()
