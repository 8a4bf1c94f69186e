"""The one dialer: every outbound call Odoo wants is placed here.

Odoo queues ``eldercare.dial.request`` records; this loop polls
``eldercare.pbx.bridge.dial_sync`` (default every 0.5 s, at once when a call
ends) with what happened to the calls it placed and gets back the calls to
place and the ones to hang up. Calls go out as AMI ``Originate`` (Async) on the
bridge's one AMI connection (``ami.AMIClient``); their fate comes from the AMI
events the bridge already receives:

* ``OriginateResponse`` (matched by our ActionID): ``Success`` = answered,
  ``Failure`` = not answered (``Reason``: 3 no answer, 5 busy, 8 congestion);
* ``UserEvent(EldercareDial)`` from the ``eldercare-dialer`` dialplan: the
  DTMF key the callee pressed (``EcDialId``, ``Digit``);
* ``Hangup`` of the originated channel (its Uniqueid is the request's
  linkedid, set with ``ChannelId``): the call ended.

Pacing (the maximum of simultaneous automated channels) is decided in Odoo,
which counts the calls in progress; the dialer takes nothing while its AMI
connection is down. Reports Odoo has not acknowledged are kept and re-sent
(Odoo ignores a report for a call already ended).

Restart of the bridge: before its first poll the dialer re-adopts the calls
a previous run placed and that are still up (``_adopt``: ``CoreShowChannels``,
the channels whose Uniqueid is a request linkedid ``ec-...``, their
``EC_DIAL_ID`` and ``EC_DIGIT`` read with ``Getvar``). Their ``UserEvent``,
``OriginateResponse`` (matched on the request id in the ActionID) and
``Hangup`` still report, so an answered call's key is not lost and Odoo, seeing
them active, neither ends them as lost nor places them again. Until the
adoption is done (AMI up) the dialer does not poll at all. A call that really
vanished while the bridge was down is not tracked: Odoo ends it as ``lost`` and
its owner decides (a check-in places it once more).

Per-call speech: a request's ``prompt`` is an ``&``-joined list of Asterisk
sound files; ``{say}`` in it is replaced by ``say_text`` synthesised once
(espeak-ng, Mandarin, 8 kHz) into ``EC_TTS_DIR`` (the Asterisk sounds
directory, seen by Asterisk as ``EC_TTS_PREFIX``); without it, or when the
synthesis is not ready within ``TTS_WAIT`` seconds, the item is left out (the
message still says "your family member ... called for help").
"""

import asyncio
import contextlib
import hashlib
import itertools
import logging
import os
import shutil
import time

from .ami import AMIError
from .backoff import backoff_delay

_logger = logging.getLogger("eldercare_bridge.dialer")

DIAL_USEREVENT = "EldercareDial"
ORIGINATE_REASONS = {
    "0": "failed",
    "1": "no_answer",
    "3": "no_answer",
    "4": "answered",
    "5": "busy",
    "8": "congestion",
}
BUSY_CAUSES = {"17"}
FAILED_CAUSES = {"1", "3", "27", "34", "38", "41", "42", "58"}
TTS_WAIT = 1.0
HANGUP_GRACE = 1.0  # seconds a failed Originate waits for its channel's Hangup
# a call the dialer heard nothing about for this long past its ring time is
# reported lost (AMI events missed while disconnected)
STALE_AFTER = 900.0
ADOPT_TRIES = 3  # failed adoptions before polling anyway (calls end as lost)
DIAL_LINKEDID_PREFIX = "ec-"


def _clean(value):
    """Channel variables travel comma-separated in AMI: no comma, no CR/LF."""
    return str(value).replace(",", " ").replace("\r", " ").replace("\n", " ")


def hangup_result(cause, answered):
    if answered:
        return "answered"
    cause = str(cause or "")
    if cause in BUSY_CAUSES:
        return "busy"
    if cause in FAILED_CAUSES:
        return "failed"
    return "no_answer"


class Call:
    __slots__ = (
        "request",
        "id",
        "linkedid",
        "action_id",
        "channel",
        "answered",
        "digit",
        "cause",
        "started",
        "hangup_wanted",
        "automated",
        "failed_result",
        "adopted",
    )

    def __init__(self, request, action_id):
        self.request = request
        self.id = int(request["id"])
        self.linkedid = str(request["linkedid"])
        self.action_id = action_id
        self.channel = ""
        self.answered = False
        self.digit = ""
        self.cause = ""
        self.started = time.monotonic()
        self.hangup_wanted = False
        self.automated = bool(request.get("automated"))
        self.failed_result = ""
        self.adopted = False


class Dialer:
    def __init__(self, bridge, poll_interval=0.5, tts_dir="", tts_prefix=""):
        self.bridge = bridge
        self.poll_interval = poll_interval
        self.tts_dir = tts_dir
        self.tts_prefix = tts_prefix or "eldercare-tts"
        self.calls = {}  # request id -> Call
        self.by_linkedid = {}
        self.by_action = {}
        self.reports = []
        self._ids = itertools.count(1)
        self._wake = asyncio.Event()
        self._task = None
        self._tts_jobs = {}
        self.adopted = False  # the calls of a previous run were looked for
        self._adopt_failures = 0
        self.stats = {
            "polls": 0,
            "placed": 0,
            "answered": 0,
            "ended": 0,
            "refused_by_ami": 0,
            "poll_failures": 0,
            "max_active": 0,
            "adopted": 0,
        }

    # -- lifecycle -------------------------------------------------------------
    def start(self):
        self._task = asyncio.get_running_loop().create_task(self._run(), name="dialer")
        return self._task

    async def _run(self):
        attempt = 0
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)
            self._wake.clear()
            try:
                await self.sync_once()
                attempt = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.stats["poll_failures"] += 1
                delay = backoff_delay(attempt, base=0.5, cap=10.0)
                attempt += 1
                _logger.warning(
                    "dialer poll failed (%r): %d report(s) kept; retry in %.1f s",
                    exc,
                    len(self.reports),
                    delay,
                    exc_info=attempt == 1,
                )
                await asyncio.sleep(delay)

    @property
    def ami(self):
        return self.bridge.ami

    def _ami_up(self):
        return bool(self.ami and self.ami.connected.is_set())

    # -- Odoo ------------------------------------------------------------------
    async def sync_once(self):
        if not self.adopted:
            if not self._ami_up():
                return 0  # Odoo would end the calls of a previous run as lost
            try:
                await self._adopt()
            except (AMIError, asyncio.TimeoutError, OSError) as exc:
                self._adopt_failures += 1
                if self._adopt_failures < ADOPT_TRIES:
                    raise
                _logger.error(
                    "could not look for the calls of a previous run (%r): the "
                    "ones still up will be reported lost",
                    exc,
                )
            self.adopted = True
        self._expire_stale()
        reports = list(self.reports)
        accept = self._ami_up()
        result = await self.bridge.rpc.execute(
            "dial_sync",
            reports,
            sorted(self.calls),
            accept,
            timeout=self.bridge.cfg.rpc_timeout,
        )
        self.stats["polls"] += 1
        del self.reports[: len(reports)]
        result = result or {}
        for linkedid in result.get("hangup") or []:
            self.hangup(str(linkedid))
        requests = result.get("dial") or []
        for request in requests:
            self._place(request)
        return len(requests)

    def _report(self, call, event, result=None, error=None):
        report = {"id": call.id, "event": event}
        if call.digit:
            report["digit"] = call.digit
        if result:
            report["result"] = result
        if error:
            report["error"] = str(error)[:300]
        self.reports.append(report)
        self._wake.set()

    def _end(self, call, result, error=None):
        if self.calls.pop(call.id, None) is None:
            return
        self.by_linkedid.pop(call.linkedid, None)
        self.by_action.pop(call.action_id, None)
        self.stats["ended"] += 1
        self._report(call, "ended", result, error)
        _logger.info(
            "dial %s %s -> %s%s (%.1f s)",
            call.id,
            call.request.get("number") or call.request.get("exten") or "",
            result,
            f" key={call.digit}" if call.digit else "",
            time.monotonic() - call.started,
        )

    def _expire_stale(self):
        now = time.monotonic()
        for call in list(self.calls.values()):
            limit = float(call.request.get("timeout") or 30) + STALE_AFTER
            if now - call.started > limit:
                self._end(call, "lost", "no AMI event for this call")

    async def _adopt(self):
        """Track again the calls of a previous run still up in Asterisk."""
        entries = await self.ami.action_list("CoreShowChannels", timeout=15)
        for entry in entries:
            uniqueid = entry.get("Uniqueid") or ""
            channel = entry.get("Channel") or ""
            if not uniqueid.startswith(DIAL_LINKEDID_PREFIX):
                continue
            if uniqueid in self.by_linkedid:
                continue
            if channel.startswith("Local/") and channel.endswith(";2"):
                continue  # the far half of a Local channel: same variables
            values = {}
            for variable in ("EC_DIAL_ID", "EC_DIGIT"):
                response = await asyncio.wait_for(
                    self.ami.action("Getvar", Channel=channel, Variable=variable),
                    10,
                )
                if response.get("Response") == "Success":
                    values[variable] = response.get("Value") or ""
            try:
                request_id = int(values.get("EC_DIAL_ID") or 0)
            except ValueError:
                request_id = 0
            if not request_id or request_id in self.calls:
                continue
            call = Call({"id": request_id, "linkedid": uniqueid}, "")
            call.adopted = True
            call.channel = channel
            call.digit = str(values.get("EC_DIGIT") or "")[:8]
            self.calls[request_id] = call
            self.by_linkedid[uniqueid] = call
            self.stats["adopted"] += 1
            if str(entry.get("ChannelState")) == "6":  # Up: answered
                call.answered = True
                self._report(call, "answered")
            _logger.warning(
                "dial %s (%s) of a previous run is still up: adopted%s",
                request_id,
                channel,
                " (answered)" if call.answered else "",
            )
        return self.stats["adopted"]

    def _adopted_by_action(self, action_id):
        """A call of a previous run: its ActionID is ec-dial-<id>-<n>."""
        parts = str(action_id or "").split("-")
        if len(parts) != 4 or parts[:2] != ["ec", "dial"]:
            return None
        try:
            call = self.calls.get(int(parts[2]))
        except ValueError:
            return None
        return call if call is not None and call.adopted else None

    # -- placing calls ---------------------------------------------------------
    def _place(self, request):
        request_id = int(request["id"])
        if request_id in self.calls:
            return
        call = Call(request, f"ec-dial-{request_id}-{next(self._ids)}")
        self.calls[request_id] = call
        self.by_linkedid[call.linkedid] = call
        self.by_action[call.action_id] = call
        self.stats["max_active"] = max(self.stats["max_active"], len(self.calls))
        asyncio.get_running_loop().create_task(
            self._originate(call), name=f"dial-{request_id}"
        )

    async def _originate(self, call):
        request = call.request
        try:
            headers = await self._headers(call)
            response = await asyncio.wait_for(
                self.ami.action("Originate", **headers), 10
            )
        except (AMIError, asyncio.TimeoutError, OSError) as exc:
            self.stats["refused_by_ami"] += 1
            _logger.error("dial %s: Originate not sent: %r", call.id, exc)
            self._end(call, "failed", f"Originate not sent: {exc!r}")
            return
        except Exception as exc:
            _logger.exception("dial %s: Originate crashed", call.id)
            self._end(call, "failed", f"dialer error: {exc!r}")
            return
        if response.get("Response") != "Success":
            self.stats["refused_by_ami"] += 1
            message = response.get("Message") or "refused"
            _logger.error(
                "dial %s: Asterisk refused the Originate: %s", call.id, message
            )
            self._end(call, "failed", f"Asterisk: {message}")
            return
        self.stats["placed"] += 1
        _logger.info(
            "dial %s placed: %s -> %s",
            call.id,
            request.get("channel"),
            request.get("exten") or request.get("application"),
        )

    async def _headers(self, call):
        request = call.request
        headers = {
            "ActionID": call.action_id,
            "Channel": request["channel"],
            "CallerID": request.get("callerid") or None,
            "Timeout": int(float(request.get("timeout") or 30) * 1000),
            "ChannelId": call.linkedid,
            "OtherChannelId": request.get("other_linkedid") or None,
            "Async": "true",
        }
        if request.get("application"):
            headers["Application"] = request["application"]
            headers["Data"] = request.get("data") or ""
        else:
            headers["Context"] = request.get("context") or ""
            headers["Exten"] = request.get("exten") or ""
            headers["Priority"] = request.get("priority") or 1
        variables = dict(request.get("variables") or {})
        prompt = request.get("prompt") or ""
        if prompt:
            variables["EC_PROMPT"] = await self._resolve_prompt(
                prompt, request.get("say_text") or ""
            )
        headers["Variable"] = [f"{_clean(k)}={_clean(v)}" for k, v in variables.items()]
        return headers

    # -- speech ----------------------------------------------------------------
    async def _resolve_prompt(self, prompt, say_text):
        parts = [p for p in prompt.split("&") if p]
        spoken = await self._tts(say_text) if say_text else None
        out = []
        for part in parts:
            if part == "{say}":
                if spoken:
                    out.append(spoken)
                continue
            out.append(part)
        return "&".join(out)

    def tts_available(self):
        return bool(self.tts_dir and shutil.which("espeak-ng") and shutil.which("sox"))

    async def _tts(self, text):
        """Sound file name (no extension) for ``text``, synthesised once."""
        if not self.tts_available():
            return None
        key = hashlib.sha1(text.encode()).hexdigest()[:16]
        name = f"{self.tts_prefix}/{key}"
        path = os.path.join(self.tts_dir, f"{key}.wav")
        if os.path.exists(path):
            return name
        job = self._tts_jobs.get(key)
        if job is None:
            job = asyncio.get_running_loop().create_task(self._synthesise(text, path))
            self._tts_jobs[key] = job
            job.add_done_callback(lambda _f, k=key: self._tts_jobs.pop(k, None))
        try:
            ok = await asyncio.wait_for(asyncio.shield(job), TTS_WAIT)
        except asyncio.TimeoutError:
            _logger.info("speech for %r not ready in %.1f s: left out", text, TTS_WAIT)
            return None
        return name if ok else None

    async def _synthesise(self, text, path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        raw = path + ".raw.wav"
        tmp = path + ".tmp.wav"
        try:
            espeak = await asyncio.create_subprocess_exec(
                "espeak-ng", "-v", "cmn", "-s", "150", "-w", raw, text,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            _out, err = await espeak.communicate()
            if espeak.returncode != 0:
                _logger.warning("espeak-ng failed for %r: %s", text, err[:200])
                return False
            sox = await asyncio.create_subprocess_exec(
                "sox", raw, "-r", "8000", "-c", "1", "-b", "16",
                "-e", "signed-integer", tmp,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            _out, err = await sox.communicate()
            if sox.returncode != 0:
                _logger.warning("sox failed for %r: %s", text, err[:200])
                return False
            os.replace(tmp, path)
            return True
        finally:
            for leftover in (raw, tmp):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(leftover)

    # -- hanging up --------------------------------------------------------------
    def hangup(self, linkedid):
        call = self.by_linkedid.get(linkedid)
        if call is None:
            return
        call.hangup_wanted = True
        if call.channel:
            asyncio.get_running_loop().create_task(self._hangup(call))

    async def _hangup(self, call):
        try:
            await asyncio.wait_for(
                self.ami.action("Hangup", Channel=call.channel, Cause=16), 10
            )
        except (AMIError, asyncio.TimeoutError) as exc:
            _logger.warning(
                "dial %s: hangup of %s failed: %r", call.id, call.channel, exc
            )

    # -- AMI events --------------------------------------------------------------
    def on_event(self, frame):
        """Called by the bridge for every AMI event (cheap when not ours)."""
        name = frame.get("Event")
        if name == "OriginateResponse":
            call = self.by_action.get(frame.get("ActionID"))
            if call is None:
                call = self._adopted_by_action(frame.get("ActionID"))
            if call is not None:
                self._on_originate_response(call, frame)
        elif name == "Newchannel":
            call = self.by_linkedid.get(frame.get("Uniqueid"))
            if call is not None and not call.channel:
                call.channel = frame.get("Channel") or ""
                if call.hangup_wanted:
                    asyncio.get_running_loop().create_task(self._hangup(call))
        elif name == "UserEvent" and frame.get("UserEvent") == DIAL_USEREVENT:
            try:
                call = self.calls.get(int(frame.get("EcDialId") or 0))
            except (TypeError, ValueError):
                call = None
            if call is not None:
                call.digit = str(frame.get("Digit") or "")[:8]
                self._report(call, "answered")
        elif name == "Hangup":
            call = self.by_linkedid.get(frame.get("Uniqueid"))
            if call is not None:
                call.cause = str(frame.get("Cause") or "")
                if call.hangup_wanted and not call.answered:
                    self._end(call, "cancelled")
                elif call.failed_result and call.cause not in BUSY_CAUSES:
                    self._end(call, call.failed_result)
                else:
                    self._end(call, hangup_result(call.cause, call.answered))

    def _on_originate_response(self, call, frame):
        if frame.get("Response") == "Success":
            if not call.answered:
                call.answered = True
                self.stats["answered"] += 1
                self._report(call, "answered")
            return
        result = ORIGINATE_REASONS.get(str(frame.get("Reason")), "failed")
        if result == "answered":  # pragma: no cover - Failure never says so
            result = "failed"
        if call.hangup_wanted:
            result = "cancelled"
        # the channel's Hangup (with its cause: busy?) usually follows at once;
        # without a channel there is none
        call.failed_result = result
        asyncio.get_running_loop().call_later(HANGUP_GRACE, self._end_failed, call)

    def _end_failed(self, call):
        if call.id in self.calls:
            self._end(call, call.failed_result or "failed")

    def after_resync(self, live_uniqueids):
        """After an AMI (re)login: calls whose channel is gone ended while we
        were not listening."""
        for call in list(self.calls.values()):
            if call.channel and call.linkedid not in live_uniqueids:
                self._end(
                    call,
                    "answered" if call.answered else "lost",
                    None if call.answered else "ended while AMI was disconnected",
                )
