"""Async JSON-RPC client for Odoo's ``/jsonrpc`` with keep-alive connections.

Pure stdlib: a tiny HTTP/1.1 client over asyncio streams (Content-Length and
chunked replies), a small pool so a slow event batch never blocks a routing
lookup, and a per-call timeout that discards the connection it interrupted.
"""

import asyncio
import contextlib
import itertools
import json
import logging
import socket
import ssl
import urllib.parse

_logger = logging.getLogger("eldercare_bridge.odoo")

MODEL = "eldercare.pbx.bridge"
_QUICKACK = getattr(socket, "TCP_QUICKACK", None)  # Linux only


class OdooError(Exception):
    """Odoo answered with a JSON-RPC error (access, bug, database down...)."""

    def __init__(self, message, data=None):
        super().__init__(message)
        self.data = data or {}


class OdooUnavailable(Exception):
    """Odoo could not be reached (connection refused/reset, HTTP 5xx, timeout)."""


class _Conn:
    def __init__(self, reader, writer):
        self.reader = reader
        self.writer = writer
        self.sock = writer.get_extra_info("socket")
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def quickack(self):
        """ACK the response headers at once. Werkzeug (Odoo's HTTP server)
        writes headers and body in two sends; with Nagle on the server and a
        delayed ACK here, the body would wait ~40 ms for our ACK."""
        if self.sock is not None and _QUICKACK is not None:
            with contextlib.suppress(OSError):
                self.sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)

    def close(self):
        with contextlib.suppress(Exception):
            self.writer.close()


class OdooRPC:
    def __init__(self, url, db, login, password, pool_size=4, timeout=10.0):
        parts = urllib.parse.urlsplit(url)
        self.scheme = parts.scheme or "http"
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (443 if self.scheme == "https" else 80)
        self.base_path = parts.path.rstrip("/")
        self.db = db
        self.login = login
        self.password = password
        self.timeout = timeout
        self.uid = None
        self._ids = itertools.count(1)
        self._idle = []
        self._sem = asyncio.Semaphore(pool_size)
        self._login_lock = asyncio.Lock()
        self.stats = {"calls": 0, "errors": 0, "connects": 0}

    async def _connect(self):
        ctx = ssl.create_default_context() if self.scheme == "https" else None
        reader, writer = await asyncio.open_connection(
            self.host, self.port, ssl=ctx, limit=2**20
        )
        self.stats["connects"] += 1
        return _Conn(reader, writer)

    async def _request(self, conn, body):
        path = (self.base_path or "") + "/jsonrpc"
        head = (
            f"POST {path} HTTP/1.1\r\n"
            f"Host: {self.host}:{self.port}\r\n"
            "Content-Type: application/json\r\n"
            "Connection: keep-alive\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        conn.writer.write(head + body)
        await conn.writer.drain()
        status_line = await conn.reader.readline()
        if not status_line:
            raise ConnectionResetError("Odoo closed the keep-alive connection")
        conn.quickack()
        try:
            status = int(status_line.split()[1])
        except (IndexError, ValueError) as exc:
            raise OdooUnavailable(f"bad HTTP status line {status_line[:60]!r}") from exc
        headers = {}
        while True:
            line = await conn.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            key, _, value = line.decode("latin-1").partition(":")
            headers[key.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(
                    (await conn.reader.readline()).split(b";")[0].strip() or b"0", 16
                )
                if size == 0:
                    await conn.reader.readline()
                    break
                chunks.append(await conn.reader.readexactly(size))
                await conn.reader.readline()
            data = b"".join(chunks)
        elif "content-length" in headers:
            data = await conn.reader.readexactly(int(headers["content-length"]))
        else:
            data = await conn.reader.read()
            headers["connection"] = "close"
        keep = headers.get("connection", "").lower() != "close"
        return status, data, keep

    async def _post(self, payload, timeout):
        body = json.dumps(payload, default=str).encode()
        async with self._sem:
            for attempt in (0, 1):
                conn = self._idle.pop() if self._idle else None
                fresh = conn is None
                try:
                    if conn is None:
                        conn = await asyncio.wait_for(self._connect(), timeout)
                    status, data, keep = await asyncio.wait_for(
                        self._request(conn, body), timeout
                    )
                except asyncio.TimeoutError:
                    if conn:
                        conn.close()
                    raise
                except (ConnectionError, asyncio.IncompleteReadError, OSError) as exc:
                    if conn:
                        conn.close()
                    if not fresh and attempt == 0:
                        continue  # stale keep-alive socket: retry once on a new one
                    raise OdooUnavailable(f"Odoo unreachable: {exc!r}") from exc
                except BaseException:
                    if conn:
                        conn.close()
                    raise
                if keep:
                    self._idle.append(conn)
                else:
                    conn.close()
                if status >= 500 or status in (404, 502, 503, 504):
                    raise OdooUnavailable(f"Odoo HTTP {status}: {data[:200]!r}")
                try:
                    return json.loads(data)
                except ValueError as exc:
                    raise OdooUnavailable(
                        f"Odoo sent non-JSON (HTTP {status})"
                    ) from exc
        raise OdooUnavailable("unreachable")  # pragma: no cover

    async def call(self, service, method, *args, timeout=None):
        timeout = self.timeout if timeout is None else timeout
        self.stats["calls"] += 1
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": list(args)},
            "id": next(self._ids),
        }
        try:
            reply = await self._post(payload, timeout)
        except Exception:
            self.stats["errors"] += 1
            raise
        if reply.get("error"):
            self.stats["errors"] += 1
            err = reply["error"]
            data = err.get("data") or {}
            msg = data.get("message") or err.get("message") or "Odoo error"
            name = data.get("name", "")
            if "OperationalError" in name or "InterfaceError" in name:
                raise OdooUnavailable(f"Odoo database unavailable: {msg}")
            raise OdooError(f"{name}: {msg}" if name else msg, data)
        return reply.get("result")

    async def authenticate(self, timeout=None):
        """Log in (``common.login``); a refused login raises OdooError.
        Concurrent first calls share one login."""
        waited = self._login_lock.locked()
        async with self._login_lock:
            if waited and self.uid is not None:
                return self.uid
            return await self._login(timeout)

    async def _login(self, timeout):
        uid = await self.call(
            "common", "login", self.db, self.login, self.password, timeout=timeout
        )
        if not uid:
            raise OdooError(
                f"Odoo login refused for {self.login!r} on database {self.db!r}"
            )
        self.uid = uid
        return uid

    async def execute(self, method, *args, model=MODEL, timeout=None, **kwargs):
        if self.uid is None:
            await self.authenticate(timeout=timeout)
        return await self.call(
            "object",
            "execute_kw",
            self.db,
            self.uid,
            self.password,
            model,
            method,
            list(args),
            kwargs,
            timeout=timeout,
        )

    async def close(self):
        while self._idle:
            self._idle.pop().close()
