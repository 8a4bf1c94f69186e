"""Tiny synchronous Asterisk Manager Interface (AMI) client.

Only what Odoo needs from inside a request: log in, send one or more actions
(``Originate``), log off. Plain ``socket``; no thread, no event loop. The long
running event stream is the bridge process' job, not Odoo's.

The AMI secret is never written to a log: frames are logged with the ``Secret``
header masked.
"""

import contextlib
import logging
import socket
import uuid

_logger = logging.getLogger(__name__)

EOL = "\r\n"
MASKED_HEADERS = {"secret"}


class AmiError(Exception):
    """Raised on any AMI failure. ``kind`` tells the caller what went wrong:
    ``connect`` (no answer / timeout), ``auth`` (login refused), ``action``
    (Asterisk answered ``Response: Error``) or ``protocol`` (garbage)."""

    def __init__(self, message, kind="action", host=None, port=None):
        super().__init__(message)
        self.kind = kind
        self.host = host
        self.port = port


def _clean(value):
    """Header values must not break the frame (CR/LF injection)."""
    return str(value).replace("\r", " ").replace("\n", " ").strip()


def format_frame(action, headers):
    """Build the bytes of one AMI action. ``headers`` is a list of
    (name, value) pairs; a name may repeat (``Variable``)."""
    lines = [f"Action: {_clean(action)}"]
    for name, value in headers:
        if value is None or value is False:
            continue
        lines.append(f"{_clean(name)}: {_clean(value)}")
    return (EOL.join(lines) + EOL + EOL).encode()


def mask_frame(frame):
    """Printable copy of a frame with secrets masked (for debug logs)."""
    out = []
    for line in frame.decode(errors="replace").split(EOL):
        name, sep, _value = line.partition(":")
        if sep and name.strip().lower() in MASKED_HEADERS:
            line = f"{name}: ********"
        out.append(line)
    return " | ".join(part for part in out if part)


def parse_message(raw):
    """Parse one AMI message (text between blank lines) into a dict. Header
    names are kept as sent; a repeated header keeps its last value."""
    message = {}
    for line in raw.split(EOL):
        name, sep, value = line.partition(":")
        if sep:
            message[name.strip()] = value.strip()
    return message


class AmiClient:
    """Synchronous AMI session::

    with AmiClient(host, port, user, secret) as ami:
        ami.originate(channel="PJSIP/1001", context="eldercare-outbound",
                      exten="13800138000", variables={"EC_CALL_ID": 7})
    """

    def __init__(self, host, port, username, secret, timeout=5.0):
        self.host = host or "127.0.0.1"
        self.port = int(port or 5038)
        self.username = username or ""
        self._secret = secret or ""
        self.timeout = timeout
        self.sock = None
        self.banner = None
        self._buffer = b""

    def __repr__(self):
        # never show the secret, even in a traceback
        return f"<AmiClient {self.username}@{self.host}:{self.port}>"

    # -- connection ---------------------------------------------------------
    def __enter__(self):
        self.connect()
        try:
            self.login()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self.logoff()
        finally:
            self.close()
        return False

    def _error(self, message, kind):
        return AmiError(message, kind=kind, host=self.host, port=self.port)

    def connect(self):
        try:
            self.sock = socket.create_connection(
                (self.host, self.port), timeout=self.timeout
            )
            self.sock.settimeout(self.timeout)
            self.banner = self._read_line()
        except OSError as exc:
            self.close()
            raise self._error(
                f"no answer from {self.host}:{self.port} ({exc.__class__.__name__})",
                "connect",
            ) from None
        if not self.banner.startswith("Asterisk Call Manager"):
            self.close()
            raise self._error(
                f"{self.host}:{self.port} is not an Asterisk manager port", "protocol"
            )
        _logger.debug("AMI connected to %s:%s (%s)", self.host, self.port, self.banner)

    def close(self):
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.close()
        self.sock = None

    # -- low level ----------------------------------------------------------
    def _recv(self):
        try:
            chunk = self.sock.recv(4096)
        except OSError as exc:
            raise self._error(
                f"no answer from {self.host}:{self.port} ({exc.__class__.__name__})",
                "connect",
            ) from None
        if not chunk:
            raise self._error(
                f"{self.host}:{self.port} closed the connection", "connect"
            )
        self._buffer += chunk

    def _read_line(self):
        while b"\r\n" not in self._buffer:
            self._recv()
        line, self._buffer = self._buffer.split(b"\r\n", 1)
        return line.decode(errors="replace")

    def _read_message(self):
        while b"\r\n\r\n" not in self._buffer:
            self._recv()
        raw, self._buffer = self._buffer.split(b"\r\n\r\n", 1)
        return parse_message(raw.decode(errors="replace"))

    def send_action(self, action, headers=None):
        """Send one action and return its response dict (events that arrive
        in between are skipped). Raises AmiError on ``Response: Error``."""
        if self.sock is None:
            raise self._error("not connected", "connect")
        action_id = uuid.uuid4().hex[:12]
        frame = format_frame(action, [("ActionID", action_id)] + list(headers or []))
        _logger.debug("AMI >> %s", mask_frame(frame))
        try:
            self.sock.sendall(frame)
        except OSError as exc:
            raise self._error(
                f"no answer from {self.host}:{self.port} ({exc.__class__.__name__})",
                "connect",
            ) from None
        while True:
            message = self._read_message()
            if "Response" in message and message.get("ActionID") in (
                action_id,
                None,
            ):
                break
            # an event or somebody else's response: not ours
        _logger.debug(
            "AMI << %s %s: %s",
            action,
            message.get("Response"),
            message.get("Message", ""),
        )
        if message.get("Response", "").lower() == "error":
            raise self._error(message.get("Message") or "unknown error", "action")
        return message

    # -- actions ------------------------------------------------------------
    def login(self):
        try:
            return self.send_action(
                "Login",
                [
                    ("Username", self.username),
                    ("Secret", self._secret),
                    ("Events", "off"),
                ],
            )
        except AmiError as exc:
            if exc.kind == "action":
                raise self._error(
                    f"login refused for AMI user {self.username!r}: {exc}", "auth"
                ) from None
            raise

    def logoff(self):
        try:
            return self.send_action("Logoff")
        except AmiError:
            # Asterisk may close the socket right after "Goodbye"
            return {}

    def originate(
        self,
        channel,
        context=None,
        exten=None,
        priority=1,
        application=None,
        data=None,
        callerid=None,
        variables=None,
        timeout_ms=30000,
        channel_id=None,
        other_channel_id=None,
        account=None,
        async_=True,
    ):
        headers = [("Channel", channel)]
        if application:
            headers += [("Application", application), ("Data", data)]
        else:
            headers += [
                ("Context", context),
                ("Exten", exten),
                ("Priority", priority),
            ]
        headers += [
            ("CallerID", callerid),
            ("Timeout", timeout_ms),
            ("ChannelId", channel_id),
            ("OtherChannelId", other_channel_id),
            ("Account", account),
            ("Async", "true" if async_ else "false"),
        ]
        for name, value in (variables or {}).items():
            headers.append(("Variable", f"{name}={value}"))
        return self.send_action("Originate", headers)
