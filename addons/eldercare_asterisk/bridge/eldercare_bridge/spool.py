"""Durable local spool for emergency alarms Odoo could not take in time.

Append-only JSON lines, one ``fsync`` per write, in ``EC_SPOOL_DIR/alerts.jsonl``::

    {"op": "add", "linkedid": "...", "params": {...agi_route params, received_at}}
    {"op": "done", "linkedid": "...", "alert_id": 42}

An alarm is pending while it has an ``add`` and no ``done``. A crash can only
tear the last line; a torn line is ignored (and logged) on load and the file is
repaired before the next append. Replay goes through Odoo's
``eldercare.pbx.bridge.spooled_alerts`` which is idempotent on linkedid, so an
alarm replayed twice (crash between Odoo's answer and our ``done`` line) still
gives exactly one alert.

Each pending alarm is retried on its own schedule: an alarm Odoo answered
without recording waits longer before each new try (capped backoff) and is
then sent alone, so it never holds the others back. After ``DEAD_AFTER``
failed tries it is also written to ``EC_SPOOL_DIR/deadletter.jsonl`` and listed
in the bridge's heartbeat (the supervisors' dashboard). It is still retried
(slowly): an alarm is never given up.
"""

import contextlib
import fcntl
import json
import logging
import os
import time

from .backoff import backoff_delay

_logger = logging.getLogger("eldercare_bridge.spool")

FILENAME = "alerts.jsonl"
DEADLETTER_FILENAME = "deadletter.jsonl"
DEAD_AFTER = 5  # failed tries before an alarm is listed as a dead letter
RETRY_BASE = 1.0  # seconds before the 2nd try of an alarm Odoo did not record
RETRY_CAP = 60.0  # ... and never more than this between two tries
COMPACT_MIN_BYTES = 256 * 1024


class SpoolLocked(RuntimeError):
    pass


class Spool:
    def __init__(self, directory):
        self.directory = os.path.abspath(directory)
        os.makedirs(self.directory, exist_ok=True)
        self.path = os.path.join(self.directory, FILENAME)
        self._lock_fd = os.open(
            os.path.join(self.directory, ".lock"), os.O_RDWR | os.O_CREAT, 0o600
        )
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(self._lock_fd)
            raise SpoolLocked(
                f"spool {self.directory} is used by another bridge process"
            ) from exc
        self.pending = {}  # linkedid -> params, insertion ordered
        self.done = {}  # linkedid -> alert_id
        self.torn_lines = 0
        self.added_at = {}  # linkedid -> epoch seconds it was spooled
        self.failures = {}  # linkedid -> {"attempts", "next_try", "error", "since"}
        self.deadletter_path = os.path.join(self.directory, DEADLETTER_FILENAME)
        self._load()
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._repair_tail()

    # -- loading -------------------------------------------------------------
    def _load(self):
        if not os.path.exists(self.path):
            return
        with open(self.path, "rb") as fh:
            for lineno, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                try:
                    rec = json.loads(raw.decode("utf-8"))
                    op = rec["op"]
                    linkedid = str(rec["linkedid"])
                except (ValueError, KeyError, TypeError, UnicodeDecodeError):
                    self.torn_lines += 1
                    _logger.warning(
                        "spool %s line %d is unreadable (torn write after a crash?),"
                        " ignored: %r",
                        self.path,
                        lineno,
                        raw[:120],
                    )
                    continue
                if op == "add":
                    if linkedid not in self.done:
                        self.pending.setdefault(linkedid, rec.get("params") or {})
                        self.added_at.setdefault(linkedid, rec.get("ts") or time.time())
                elif op == "done":
                    self.pending.pop(linkedid, None)
                    self.done[linkedid] = rec.get("alert_id")
        if self.pending:
            _logger.warning(
                "spool %s holds %d alarm(s) not yet raised in Odoo: %s",
                self.path,
                len(self.pending),
                ", ".join(list(self.pending)[:20]),
            )

    def _repair_tail(self):
        size = os.fstat(self._fd).st_size
        if not size:
            return
        with open(self.path, "rb") as fh:
            fh.seek(size - 1)
            last = fh.read(1)
        if last != b"\n":
            # a torn final line: terminate it so the next record starts clean
            os.write(self._fd, b"\n")
            os.fsync(self._fd)

    # -- writing -------------------------------------------------------------
    def _append(self, rec):
        data = (json.dumps(rec, separators=(",", ":"), default=str) + "\n").encode()
        os.write(self._fd, data)
        os.fsync(self._fd)

    def add(self, linkedid, params):
        """Persist an alarm; False when it is already pending or already done."""
        linkedid = str(linkedid)
        if not linkedid:
            raise ValueError("spool.add needs a linkedid")
        if linkedid in self.pending or linkedid in self.done:
            return False
        params = dict(params)
        params.setdefault("linkedid", linkedid)
        self._append(
            {"op": "add", "linkedid": linkedid, "params": params, "ts": time.time()}
        )
        self.pending[linkedid] = params
        self.added_at[linkedid] = time.time()
        return True

    def mark_done(self, linkedid, alert_id=None):
        linkedid = str(linkedid)
        if linkedid in self.done and linkedid not in self.pending:
            return False
        self._append({"op": "done", "linkedid": linkedid, "alert_id": alert_id})
        self.pending.pop(linkedid, None)
        self.added_at.pop(linkedid, None)
        failure = self.failures.pop(linkedid, None)
        if failure and failure["attempts"] >= DEAD_AFTER:
            self._append_deadletter(
                {"op": "recovered", "linkedid": linkedid, "alert_id": alert_id}
            )
        self.done[linkedid] = alert_id
        return True

    # -- per-alarm retries ---------------------------------------------------
    def due(self, now=None, exclude=()):
        """Pending alarms whose next try is due, never-failed ones first."""
        now = time.monotonic() if now is None else now
        due = []
        for lid, params in self.pending.items():
            if lid in exclude:
                continue
            failure = self.failures.get(lid)
            if failure is None or failure["next_try"] <= now:
                due.append((failure["attempts"] if failure else 0, lid, params))
        due.sort(key=lambda entry: entry[0])  # stable: spool order within a rank
        return [dict(params, linkedid=lid) for _n, lid, params in due]

    def next_try_in(self, now=None, exclude=()):
        """Seconds until the next pending alarm is due (None: nothing pending)."""
        now = time.monotonic() if now is None else now
        waits = [
            max(self.failures[lid]["next_try"] - now, 0.0)
            if lid in self.failures
            else 0.0
            for lid in self.pending
            if lid not in exclude
        ]
        return min(waits) if waits else None

    def attempts(self, linkedid):
        failure = self.failures.get(str(linkedid))
        return failure["attempts"] if failure else 0

    def record_failure(self, linkedid, error, now=None):
        """Odoo did not record this alarm: schedule its next try. True when it
        has just become a dead letter."""
        linkedid = str(linkedid)
        if linkedid not in self.pending:
            return False
        now = time.monotonic() if now is None else now
        failure = self.failures.setdefault(
            linkedid,
            {"attempts": 0, "next_try": now, "error": "", "since": time.time()},
        )
        failure["attempts"] += 1
        failure["error"] = str(error)[:200]
        failure["next_try"] = now + backoff_delay(
            failure["attempts"] - 1, base=RETRY_BASE, cap=RETRY_CAP
        )
        if failure["attempts"] == DEAD_AFTER:
            params = self.pending[linkedid]
            self._append_deadletter(
                {
                    "op": "dead",
                    "linkedid": linkedid,
                    "params": params,
                    "attempts": failure["attempts"],
                    "error": failure["error"],
                    "ts": time.time(),
                }
            )
            _logger.error(
                "spooled alarm linkedid=%s caller=%r did=%s failed %d times (%s): "
                "listed as a dead letter in %s and on the dashboard; still retried",
                linkedid,
                params.get("caller_num"),
                params.get("did"),
                failure["attempts"],
                failure["error"],
                self.deadletter_path,
            )
            return True
        return False

    def dead_letters(self):
        """The pending alarms that failed ``DEAD_AFTER`` times or more."""
        return [
            {
                "linkedid": lid,
                "caller_num": self.pending[lid].get("caller_num", ""),
                "did": self.pending[lid].get("did", ""),
                "attempts": failure["attempts"],
                "error": failure["error"],
                "since": failure["since"],
            }
            for lid, failure in self.failures.items()
            if failure["attempts"] >= DEAD_AFTER and lid in self.pending
        ]

    def oldest_pending_seconds(self, now=None):
        if not self.pending:
            return 0.0
        now = time.time() if now is None else now
        oldest = min(self.added_at.get(lid, now) for lid in self.pending)
        return max(now - oldest, 0.0)

    def _append_deadletter(self, rec):
        data = (json.dumps(rec, separators=(",", ":"), default=str) + "\n").encode()
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
        fd = os.open(self.deadletter_path, flags, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)

    def items(self):
        return [dict(params, linkedid=lid) for lid, params in self.pending.items()]

    def __len__(self):
        return len(self.pending)

    def compact(self):
        """Rewrite the file with only pending alarms once it has grown."""
        if os.fstat(self._fd).st_size < COMPACT_MIN_BYTES:
            return False
        tmp = self.path + ".tmp"
        with open(tmp, "wb") as fh:
            for lid, params in self.pending.items():
                rec = {
                    "op": "add",
                    "linkedid": lid,
                    "params": params,
                    "ts": self.added_at.get(lid, time.time()),
                }
                fh.write((json.dumps(rec, default=str) + "\n").encode())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
        dfd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
        os.close(self._fd)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        # keep only recent done ids in memory; Odoo is idempotent anyway
        if len(self.done) > 10000:
            self.done = dict(list(self.done.items())[-5000:])
        return True

    def close(self):
        for fd in (self._fd, self._lock_fd):
            with contextlib.suppress(OSError):
                os.close(fd)
