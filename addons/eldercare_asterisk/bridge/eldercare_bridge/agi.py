"""A small asyncio FastAGI server.

Protocol (Asterisk ``AGI(agi://host:port/script,arg1,...)``): Asterisk connects,
sends ``agi_key: value`` lines and a blank line, then we send commands one line
each (``SET VARIABLE ROUTE "emergency"``) and read ``200 result=1 (data)``
replies. Closing the socket ends the AGI and the dialplan continues.
"""

import asyncio
import contextlib
import logging
import re
import time
import urllib.parse

_logger = logging.getLogger("eldercare_bridge.agi")

MAX_LINE = 4096
MAX_HEADERS = 256
HEADER_TIMEOUT = 5.0
COMMAND_TIMEOUT = 5.0

_RESULT = re.compile(r"^(\d{3})(?:[ -](.*))?$")
_RESULT_KV = re.compile(r"result=(-?\d+)(?:\s+\((.*)\))?(?:\s+(.*))?$")
_VARNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_()]{0,63}$")


class AGIProtocolError(Exception):
    """The peer did not speak AGI (garbage, oversize, wrong framing)."""


class AGIHangup(Exception):
    """The channel is gone; commands are refused."""


def parse_env_lines(lines):
    """Parse the AGI environment block; returns (env dict, list of problems).

    Raises AGIProtocolError when nothing in it looks like AGI at all.
    """
    env = {}
    problems = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line:
            continue
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or not key.startswith("agi_") or " " in key:
            problems.append(line[:80])
            continue
        env[key] = value.strip()
    if not env:
        raise AGIProtocolError(
            "no agi_* header in request (not an Asterisk FastAGI client?): "
            + "; ".join(repr(p) for p in problems[:3])
        )
    return env, problems


def script_name(env):
    """'route' for agi://host:port/route?x=y (agi_network_script/agi_request)."""
    script = env.get("agi_network_script") or ""
    if not script:
        req = env.get("agi_request", "")
        script = urllib.parse.urlsplit(req).path if "://" in req else req
    script = script.split("?", 1)[0].strip("/")
    return script


def agi_args(env):
    args = []
    i = 1
    while f"agi_arg_{i}" in env:
        args.append(env[f"agi_arg_{i}"])
        i += 1
    return args


def parse_response(line):
    """'200 result=1 (value)' -> (200, 1, 'value'). Raises AGIProtocolError."""
    line = line.rstrip("\r\n")
    m = _RESULT.match(line)
    if not m:
        raise AGIProtocolError(f"unexpected AGI reply {line[:80]!r}")
    code = int(m.group(1))
    rest = m.group(2) or ""
    result, data = None, ""
    kv = _RESULT_KV.search(rest)
    if kv:
        result = int(kv.group(1))
        data = kv.group(2) if kv.group(2) is not None else (kv.group(3) or "")
    else:
        data = rest
    return code, result, data


def quote(value):
    """Quote a value for an AGI command argument."""
    text = "" if value is None else str(value)
    text = re.sub(r"[\r\n\x00]", " ", text)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class AGISession:
    def __init__(self, reader, writer, env, peer):
        self.reader = reader
        self.writer = writer
        self.env = env
        self.peer = peer
        self.hungup = False
        self.started = time.monotonic()

    @property
    def script(self):
        return script_name(self.env)

    @property
    def args(self):
        return agi_args(self.env)

    async def _readline(self, timeout):
        try:
            raw = await asyncio.wait_for(self.reader.readline(), timeout)
        except (asyncio.LimitOverrunError, ValueError) as exc:
            raise AGIProtocolError("AGI line too long") from exc
        if not raw:
            raise AGIHangup("connection closed by Asterisk")
        return raw.decode("utf-8", "replace")

    async def command(self, cmd, timeout=COMMAND_TIMEOUT):
        if self.hungup:
            raise AGIHangup("channel hung up")
        self.writer.write((cmd + "\n").encode("utf-8", "replace"))
        await self.writer.drain()
        while True:
            line = await self._readline(timeout)
            stripped = line.strip()
            if stripped == "HANGUP":
                # asynchronous notice (agi_enhanced / SIGHUP); the reply follows
                self.hungup = True
                continue
            if not stripped:
                continue
            if stripped.startswith("520-"):
                # multi-line usage text ends with '520 End of proper usage.'
                while not (await self._readline(timeout)).startswith("520 "):
                    pass
                return 520, None, "invalid command"
            code, result, data = parse_response(stripped)
            if code == 511:
                self.hungup = True
                raise AGIHangup(data or "command not permitted on a dead channel")
            return code, result, data

    async def set_variable(self, name, value):
        if not _VARNAME.match(name):
            raise ValueError(f"bad channel variable name {name!r}")
        return await self.command(f"SET VARIABLE {name} {quote(value)}")

    async def get_variable(self, name):
        code, result, data = await self.command(f"GET VARIABLE {quote(name)}")
        return data if code == 200 and result == 1 else None

    async def verbose(self, message, level=3):
        return await self.command(f"VERBOSE {quote(message)} {int(level)}")

    def close(self):
        with contextlib.suppress(Exception):
            self.writer.close()


class FastAGIServer:
    """Dispatches ``agi://host:port/<script>`` to ``handlers[script](session)``."""

    def __init__(self, host, port, handlers):
        self.host = host
        self.port = port
        self.handlers = handlers
        self.server = None
        self.stats = {"sessions": 0, "garbage": 0, "errors": 0, "refused": 0}
        self.allowed = set()  # peer IPs allowed; empty = any

    def _refused(self, peer):
        if not self.allowed or not peer:
            return False
        return peer[0] not in self.allowed

    async def start(self):
        self.server = await asyncio.start_server(
            self._handle, self.host, self.port, limit=MAX_LINE
        )
        sock = self.server.sockets[0]
        self.port = sock.getsockname()[1]
        _logger.info("FastAGI listening on %s:%s", self.host, self.port)
        return self

    async def stop(self):
        if self.server:
            self.server.close()
            await self.server.wait_closed()

    async def _read_env(self, reader, peer):
        lines = []
        deadline = time.monotonic() + HEADER_TIMEOUT
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AGIProtocolError("AGI header block not finished in time")
            try:
                raw = await asyncio.wait_for(reader.readline(), remaining)
            except (asyncio.LimitOverrunError, ValueError) as exc:
                raise AGIProtocolError("AGI header line too long") from exc
            except asyncio.TimeoutError as exc:
                raise AGIProtocolError("AGI header block not finished in time") from exc
            if not raw:
                raise AGIProtocolError("connection closed before the AGI headers ended")
            line = raw.decode("utf-8", "replace")
            if not line.strip():
                if lines:
                    break
                continue
            lines.append(line)
            if len(lines) > MAX_HEADERS:
                raise AGIProtocolError("too many AGI header lines")
        env, problems = parse_env_lines(lines)
        if problems:
            _logger.warning(
                "FastAGI %s: ignored %d malformed header line(s): %s",
                peer,
                len(problems),
                "; ".join(repr(p) for p in problems[:5]),
            )
        return env

    async def _handle(self, reader, writer):
        peer = writer.get_extra_info("peername")
        self.stats["sessions"] += 1
        session = None
        if self._refused(peer):
            self.stats["refused"] += 1
            _logger.warning(
                "FastAGI: connection from %s refused (allowed: %s)",
                peer,
                ", ".join(sorted(self.allowed)),
            )
            writer.close()
            return
        try:
            try:
                env = await self._read_env(reader, peer)
            except AGIProtocolError as exc:
                self.stats["garbage"] += 1
                _logger.warning(
                    "FastAGI %s: rejected garbage connection: %s", peer, exc
                )
                return
            session = AGISession(reader, writer, env, peer)
            handler = self.handlers.get(session.script)
            if handler is None:
                self.stats["garbage"] += 1
                _logger.warning(
                    "FastAGI %s: unknown script %r (known: %s)",
                    peer,
                    session.script,
                    ", ".join(sorted(self.handlers)),
                )
                with contextlib.suppress(Exception):
                    await session.command('VERBOSE "eldercare: unknown AGI script" 1')
                return
            await handler(session)
        except AGIHangup as exc:
            _logger.info("FastAGI %s: channel gone (%s)", peer, exc)
        except AGIProtocolError as exc:
            self.stats["garbage"] += 1
            _logger.warning("FastAGI %s: protocol error: %s", peer, exc)
        except (ConnectionError, asyncio.TimeoutError) as exc:
            _logger.warning("FastAGI %s: connection problem: %r", peer, exc)
        except Exception:
            self.stats["errors"] += 1
            _logger.exception("FastAGI %s: handler failed", peer)
        finally:
            try:
                writer.close()
                await asyncio.wait_for(writer.wait_closed(), 1.0)
            except (OSError, asyncio.TimeoutError):
                pass  # the peer is gone already: nothing left to close
