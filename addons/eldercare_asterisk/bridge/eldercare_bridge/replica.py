"""The bridge's replica of Odoo's routing data: certified numbers -> elder and
DIDs -> line type (``eldercare.pbx.bridge.bridge_route_index``).

Loaded in pages at start (and from its disk copy first, so a bridge started
while Odoo is down routes at once), refreshed by ``write_date`` every
``EC_INDEX_REFRESH`` seconds and reloaded in full every ``EC_INDEX_FULL_EVERY``
seconds (a deleted phone row leaves no ``write_date``). It is data only:
policy (which line is emergency, what a service line does) stays Odoo's, sent
through the same index. An Odoo without the index method leaves the replica
unused: the bridge then waits on Odoo as before.
"""

import asyncio
import contextlib
import json
import logging
import os
import re
import time

from .backoff import backoff_delay
from .odoo_rpc import OdooError

_logger = logging.getLogger("eldercare_bridge.replica")

CACHE_NAME = "route_index.json"
_DIGITS = re.compile(r"\D")


def e164_candidates(caller, country="86"):
    """The E.164 forms a caller id may stand for, most likely first (the
    same rules as Odoo's ``eldercare.phone._normalize_number`` for a
    Chinese center: trunk prefix 0, 86 without +, 00 international)."""
    raw = str(caller or "").strip()
    digits = _DIGITS.sub("", raw)
    if not digits or len(digits) > 17:
        return []
    if raw.startswith("+"):
        return ["+" + digits]
    out = []
    if digits.startswith("00"):
        out.append("+" + digits[2:])
    elif digits.startswith(country) and len(digits) in (12, 13):
        out.append("+" + digits)
    if digits.startswith("0") and not digits.startswith("00"):
        out.append(f"+{country}{digits[1:]}")
    out.append(f"+{country}{digits}")
    return out


def _unsupported(exc):
    """Odoo answered that it has no ``bridge_route_index`` (older addons)."""
    text = str(exc)
    return (
        isinstance(exc, OdooError)
        and "bridge_route_index" in text
        and any(
            word in text
            for word in ("AttributeError", "does not exist", "has no attribute")
        )
    )


class RouteIndex:
    def __init__(self, rpc, cache_dir, refresh=30.0, full_every=3600.0, timeout=60.0):
        self.rpc = rpc
        self.cache_path = os.path.join(cache_dir, CACHE_NAME)
        self.refresh = refresh
        self.full_every = full_every
        self.timeout = timeout
        self.numbers = {}  # e164 -> elder id
        self.phones = {}  # phone id -> e164 (to drop a changed number)
        self.lines = {}  # did -> "emergency" | "service"
        self.ivr = False
        self.cursor = False
        self.loaded_at = 0.0  # monotonic time of the last full load (0: never)
        self.unsupported = False  # Odoo has no index method
        self.stats = {"full_loads": 0, "refreshes": 0, "hits": 0, "misses": 0}
        self._task = None
        self._load_cache()

    # -- what routing asks ----------------------------------------------------
    @property
    def ready(self):
        return bool(self.lines) and not self.unsupported

    def line_type(self, did):
        did = str(did or "")
        if did in self.lines:
            return self.lines[did]
        digits = _DIGITS.sub("", did)
        for number, kind in self.lines.items():
            if digits and _DIGITS.sub("", number) == digits:
                return kind
        return None

    def elder_of(self, caller):
        for e164 in e164_candidates(caller):
            elder = self.numbers.get(e164)
            if elder:
                self.stats["hits"] += 1
                return elder
        self.stats["misses"] += 1
        return 0

    def local_route(self, did):
        """(route, queue) from the replica, None for a DID it does not know;
        the same decision as Odoo's ``_decide_route``."""
        kind = self.line_type(did)
        if kind == "emergency":
            return "emergency"
        if kind == "service":
            return "ivr" if self.ivr else "operator"
        return None

    # -- loading --------------------------------------------------------------
    def _apply(self, page, replace_lines=True):
        if replace_lines and isinstance(page.get("lines"), dict):
            self.lines = {str(k): str(v) for k, v in page["lines"].items()}
        self.ivr = bool(page.get("ivr"))
        for row in page.get("phones") or []:
            try:
                phone_id, e164, elder_id = int(row[0]), str(row[1]), int(row[2] or 0)
            except (TypeError, ValueError, IndexError):
                continue
            old = self.phones.pop(phone_id, None)
            if old and self.numbers.get(old) and old != e164:
                self.numbers.pop(old, None)
            if elder_id:
                self.phones[phone_id] = e164
                self.numbers[e164] = elder_id
            elif self.numbers.get(e164):
                self.numbers.pop(e164, None)

    async def _call(self, cursor=False, after_id=0):
        return await self.rpc.execute(
            "bridge_route_index", cursor, after_id, timeout=self.timeout
        )

    async def full_load(self):
        numbers, phones = {}, {}
        self.numbers, old_numbers = numbers, self.numbers
        self.phones, old_phones = phones, self.phones
        try:
            after_id, cursor = 0, False
            while True:
                page = await self._call(cursor=False, after_id=after_id)
                cursor = cursor or page["cursor"]  # the first page's time
                self._apply(page)
                if not page.get("more"):
                    break
                after_id = page["last_id"]
        except BaseException:
            self.numbers, self.phones = old_numbers, old_phones
            raise
        self.cursor = cursor
        self.loaded_at = time.monotonic()
        self.stats["full_loads"] += 1
        await self._save_cache_async()
        _logger.info(
            "routing replica loaded: %d certified numbers, %d lines",
            len(self.numbers),
            len(self.lines),
        )

    async def refresh_once(self):
        page = await self._call(cursor=self.cursor)
        self._apply(page)
        if page.get("more"):
            # more rows changed than one page holds: reload everything
            return await self.full_load()
        self.cursor = page["cursor"]
        self.stats["refreshes"] += 1
        if page.get("phones"):
            await self._save_cache_async()

    async def _loop(self):
        attempt = 0
        while True:
            try:
                stale = time.monotonic() - self.loaded_at > self.full_every
                if not self.loaded_at or not self.cursor or stale:
                    await self.full_load()
                else:
                    await self.refresh_once()
                attempt = 0
                await asyncio.sleep(self.refresh)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if _unsupported(exc):
                    self.unsupported = True
                    _logger.warning(
                        "Odoo has no routing index: routing waits on Odoo (%s)", exc
                    )
                    return
                delay = backoff_delay(attempt, base=1.0, cap=30.0)
                attempt += 1
                _logger.warning(
                    "routing replica refresh failed (%r); retry in %.0f s", exc, delay
                )
                await asyncio.sleep(delay)

    def start(self):
        self._task = asyncio.get_running_loop().create_task(
            self._loop(), name="route-index"
        )
        return self._task

    # -- disk copy ------------------------------------------------------------
    def _snapshot(self):
        rows = [[p, e, self.numbers[e]] for p, e in self.phones.items()]
        return {"lines": dict(self.lines), "ivr": self.ivr, "phones": rows}

    def _write_cache(self, snapshot):
        tmp = self.cache_path + ".tmp"
        try:
            with open(tmp, "w") as fh:
                json.dump(snapshot, fh)
            os.replace(tmp, self.cache_path)
        except OSError:
            _logger.warning("routing replica not saved to %s", self.cache_path)

    def _save_cache(self):
        self._write_cache(self._snapshot())

    async def _save_cache_async(self):
        # 100,000 numbers take a few hundred ms to write: not in the event
        # loop that answers Asterisk
        await asyncio.to_thread(self._write_cache, self._snapshot())

    def _load_cache(self):
        with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
            with open(self.cache_path) as fh:
                self._apply(json.load(fh))
            _logger.info(
                "routing replica from %s: %d numbers (refreshed from Odoo next)",
                self.cache_path,
                len(self.numbers),
            )
