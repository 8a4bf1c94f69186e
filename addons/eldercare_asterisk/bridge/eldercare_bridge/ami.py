"""A small asyncio Asterisk Manager Interface (AMI) client.

Why our own and not panoramisk 1.4: see bridge/README.md "Bridge process". In
short we need a capped exponential reconnect backoff, a resync hook after every
(re)login, bounded buffers, malformed frames logged and skipped, and a ping
watchdog; panoramisk reconnects at a fixed 2 s, does not retry a failed login,
and buffers without limit.
"""

import asyncio
import contextlib
import itertools
import logging
import time

from .backoff import backoff_delay

_logger = logging.getLogger("eldercare_bridge.ami")

MAX_LINE = 65536
MAX_HEADERS = 512


class AMIError(Exception):
    pass


class AMIFrameParser:
    """Incremental parser: feed text lines, get frames (dicts) back.

    A frame is ``Key: Value`` lines ended by an empty line. Repeated keys become
    a list (except ``ChanVariable`` which becomes ``ChanVariable(NAME)`` keys).
    Lines without ``:`` are malformed: counted, logged by the caller, skipped.
    """

    def __init__(self):
        self.current = {}
        self.malformed = []
        self.count = 0

    def feed_line(self, line):
        """Returns a finished frame dict or None."""
        line = line.rstrip("\r\n")
        if line == "":
            if not self.current:
                return None
            frame, self.current = self.current, {}
            self.count = 0
            return frame
        self.count += 1
        if self.count > MAX_HEADERS:
            self.malformed.append(f"frame over {MAX_HEADERS} lines")
            self.current, self.count = {}, 0
            return None
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or not key or len(key) > 100:
            self.malformed.append(line[:100])
            return None
        value = value[1:] if value.startswith(" ") else value
        if key == "ChanVariable" and "=" in value:
            name, _, val = value.partition("=")
            key, value = f"ChanVariable({name})", val
        if key in self.current:
            prev = self.current[key]
            if isinstance(prev, list):
                prev.append(value)
            else:
                self.current[key] = [prev, value]
        else:
            self.current[key] = value
        return None

    def take_malformed(self):
        out, self.malformed = self.malformed, []
        return out


def parse_frames(text):
    """Parse a whole text blob into frames (for tests and tools)."""
    parser = AMIFrameParser()
    frames = []
    for line in text.splitlines():
        frame = parser.feed_line(line)
        if frame is not None:
            frames.append(frame)
    frame = parser.feed_line("")
    if frame is not None:
        frames.append(frame)
    return frames, parser.take_malformed()


def build_action(action, headers):
    lines = [f"Action: {action}"]
    for key, value in headers.items():
        if value is None:
            continue
        values = value if isinstance(value, list | tuple) else [value]
        for val in values:
            val = str(val).replace("\r", " ").replace("\n", " ")
            lines.append(f"{key}: {val}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


class AMIClient:
    """Connects, logs in, dispatches events, reconnects with capped backoff.

    ``on_event(frame)`` is called for every event (sync function);
    ``on_login()`` (coroutine) after every successful login (resync hook).
    """

    def __init__(
        self,
        host,
        port,
        username,
        secret,
        on_event=None,
        on_login=None,
        backoff_cap=30.0,
        ping_interval=20.0,
        ping_timeout=10.0,
        events="on",
    ):
        self.host = host
        self.port = port
        self.username = username
        self.secret = secret
        self.on_event = on_event
        self.on_login = on_login
        self.backoff_cap = backoff_cap
        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout
        self.events = events  # AMI event mask sent at login ("on" = all)
        self._ids = itertools.count(1)
        self._pending = {}  # ActionID -> (future, collect list or None)
        self._writer = None
        self._task = None
        self._stopping = False
        self.connected = asyncio.Event()
        self.stats = {"connects": 0, "malformed": 0, "events": 0, "disconnects": 0}
        self.last_delays = []

    # -- lifecycle -----------------------------------------------------------
    def start(self):
        self._task = asyncio.get_running_loop().create_task(self._run(), name="ami")
        return self._task

    async def stop(self):
        self._stopping = True
        if self._writer:
            self._writer.close()
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def _run(self):
        attempt = 0
        while not self._stopping:
            started = time.monotonic()
            try:
                await self._session()
            except asyncio.CancelledError:
                raise
            except (
                OSError,
                asyncio.IncompleteReadError,
                AMIError,
                asyncio.TimeoutError,
            ) as exc:
                _logger.warning("AMI %s:%s: %s", self.host, self.port, exc or repr(exc))
            except Exception:
                _logger.exception("AMI session crashed")
            finally:
                self.connected.clear()
                self._fail_pending(AMIError("AMI connection lost"))
                self._writer = None
            if self._stopping:
                break
            self.stats["disconnects"] += 1
            if time.monotonic() - started > 60:
                attempt = 0  # a long healthy session resets the backoff
            delay = backoff_delay(attempt, cap=self.backoff_cap, jitter=0.2)
            self.last_delays.append(delay)
            del self.last_delays[:-20]
            attempt += 1
            _logger.warning("AMI reconnect in %.1f s (attempt %d)", delay, attempt)
            await asyncio.sleep(delay)

    def _fail_pending(self, exc):
        for fut, _collect in self._pending.values():
            if not fut.done():
                fut.set_exception(exc)
        self._pending.clear()

    async def _session(self):
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port, limit=MAX_LINE), 10
        )
        self._writer = writer
        try:
            banner = await asyncio.wait_for(reader.readline(), 10)
            if not banner.startswith(b"Asterisk Call Manager"):
                raise AMIError(f"not an AMI banner: {banner[:60]!r}")
            reader_task = asyncio.create_task(self._read_loop(reader))
            try:
                resp = await asyncio.wait_for(
                    self.action(
                        "Login",
                        Username=self.username,
                        Secret=self.secret,
                        Events=self.events,
                    ),
                    10,
                )
                if resp.get("Response") != "Success":
                    raise AMIError(f"AMI login refused: {resp.get('Message')}")
                self.stats["connects"] += 1
                self.connected.set()
                _logger.info("AMI logged in to %s:%s", self.host, self.port)
                if self.on_login:
                    asyncio.create_task(self._safe_on_login())
                pinger = asyncio.create_task(self._ping_loop())
                try:
                    await reader_task
                finally:
                    pinger.cancel()
            finally:
                reader_task.cancel()
        finally:
            writer.close()

    async def _safe_on_login(self):
        try:
            await self.on_login()
        except Exception:
            _logger.exception("AMI resync after login failed")

    async def _ping_loop(self):
        while True:
            await asyncio.sleep(self.ping_interval)
            try:
                await asyncio.wait_for(self.action("Ping"), self.ping_timeout)
            except (asyncio.TimeoutError, AMIError):
                _logger.warning("AMI ping unanswered: dropping the connection")
                if self._writer:
                    self._writer.close()
                return

    async def _read_loop(self, reader):
        parser = AMIFrameParser()
        while True:
            try:
                raw = await reader.readline()
            except (asyncio.LimitOverrunError, ValueError):
                # oversize line: asyncio already discarded it (or the part
                # buffered so far); carry on with the next line
                self.stats["malformed"] += 1
                _logger.warning("AMI: dropped an oversize line (> %d bytes)", MAX_LINE)
                continue
            if not raw:
                raise AMIError("connection closed by Asterisk")
            frame = parser.feed_line(raw.decode("utf-8", "replace"))
            bad = parser.take_malformed()
            if bad:
                self.stats["malformed"] += len(bad)
                _logger.warning("AMI: skipped malformed line(s): %r", bad[:3])
            if frame is not None:
                self._dispatch(frame)

    def _dispatch(self, frame):
        action_id = frame.get("ActionID")
        if isinstance(action_id, list):
            action_id = action_id[0]
        pending = self._pending.get(action_id) if action_id else None
        # OriginateResponse is an event with a "Response" header
        if "Response" in frame and "Event" not in frame:
            if pending is None:
                return
            fut, collect = pending
            if collect is not None and frame.get("EventList") == "start":
                collect.append(frame)  # first element: the response
                return
            self._pending.pop(action_id, None)
            if not fut.done():
                fut.set_result(frame if collect is None else [frame])
            return
        if "Event" in frame:
            if pending is not None and pending[1] is not None:
                fut, collect = pending
                collect.append(frame)
                if frame.get("EventList") == "Complete":
                    self._pending.pop(action_id, None)
                    if not fut.done():
                        fut.set_result(collect)
                return
            self.stats["events"] += 1
            if self.on_event:
                try:
                    self.on_event(frame)
                except Exception:
                    _logger.exception(
                        "AMI event handler failed on %s", frame.get("Event")
                    )
            return
        self.stats["malformed"] += 1
        _logger.warning(
            "AMI: frame without Response/Event skipped: %r",
            dict(list(frame.items())[:4]),
        )

    # -- actions -------------------------------------------------------------
    def action(self, action, _collect=False, **headers):
        """Send an action; returns a future resolving to the response frame
        (or, with _collect, to [response, event, ..., complete-event])."""
        if self._writer is None:
            fut = asyncio.get_running_loop().create_future()
            fut.set_exception(AMIError("AMI not connected"))
            return fut
        # a caller-chosen ActionID (the dialer's) tags the later events of
        # an asynchronous action (OriginateResponse)
        action_id = headers.pop("ActionID", None) or f"ec-{next(self._ids)}"
        fut = asyncio.get_running_loop().create_future()
        self._pending[action_id] = (fut, [] if _collect else None)
        headers["ActionID"] = action_id
        self._writer.write(build_action(action, headers))
        return fut

    async def action_list(self, action, timeout=10, **headers):
        """Actions answering with an event list (CoreShowChannels, ...)."""
        frames = await asyncio.wait_for(
            self.action(action, _collect=True, **headers), timeout
        )
        resp = frames[0]
        if resp.get("Response") not in ("Success", None):
            raise AMIError(f"{action}: {resp.get('Message')}")
        return [f for f in frames[1:] if f.get("EventList") != "Complete"]
