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
import itertools
import json
import logging
import os
import re
import time

from .backoff import backoff_delay
from .odoo_rpc import OdooError

_logger = logging.getLogger("eldercare_bridge.replica")

CACHE_NAME = "route_index.json"
# rows per bridge_route_index page (Odoo allows 50,000): a page is parsed in
# one piece on the event loop, 10,000 rows take ~3 ms
PAGE_SIZE = 10000
CHUNK = 2000  # rows applied or encoded between two yields to the event loop
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
    def __init__(
        self,
        rpc,
        cache_dir,
        refresh=30.0,
        full_every=3600.0,
        timeout=60.0,
        page_size=PAGE_SIZE,
    ):
        self.rpc = rpc
        self.page_size = page_size
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
    def _apply_meta(self, page, replace_lines=True):
        if replace_lines and isinstance(page.get("lines"), dict):
            self.lines = {str(k): str(v) for k, v in page["lines"].items()}
        self.ivr = bool(page.get("ivr"))

    @staticmethod
    def _apply_rows(rows, numbers, phones):
        for row in rows:
            try:
                phone_id, e164, elder_id = int(row[0]), str(row[1]), int(row[2] or 0)
            except (TypeError, ValueError, IndexError):
                continue
            old = phones.pop(phone_id, None)
            if old and numbers.get(old) and old != e164:
                numbers.pop(old, None)
            if elder_id:
                phones[phone_id] = e164
                numbers[e164] = elder_id
            elif numbers.get(e164):
                numbers.pop(e164, None)

    def _apply(self, page, replace_lines=True):
        """A whole page at once (the disk copy at start, tests)."""
        self._apply_meta(page, replace_lines)
        self._apply_rows(page.get("phones") or [], self.numbers, self.phones)

    async def _apply_async(self, page, numbers, phones):
        """A page in slices of CHUNK rows, yielding to the event loop between
        them: a page of thousands of rows never holds up a routing decision."""
        self._apply_meta(page)
        rows = page.get("phones") or []
        for start in range(0, len(rows), CHUNK):
            self._apply_rows(rows[start : start + CHUNK], numbers, phones)
            await asyncio.sleep(0)

    async def _call(self, cursor=False, after_id=0):
        return await self.rpc.execute(
            "bridge_route_index", cursor, after_id, self.page_size, timeout=self.timeout
        )

    async def _pages(self, cursor, numbers, phones):
        """Every page of a full load (``cursor`` False) or of the rows
        changed since ``cursor``, applied to ``numbers``/``phones`` as they
        come. Returns the first page's cursor (where the next refresh starts)
        and the number of rows received."""
        after_id, first_cursor, received = 0, None, 0
        while True:
            page = await self._call(cursor=cursor, after_id=after_id)
            first_cursor = first_cursor or page["cursor"]
            received += len(page.get("phones") or [])
            await self._apply_async(page, numbers, phones)
            if not page.get("more"):
                return first_cursor, received
            last_id = int(page.get("last_id") or 0)
            if last_id <= after_id:
                raise ValueError(f"bridge_route_index paged back to id {last_id}")
            after_id = last_id

    async def full_load(self):
        # a reload is built aside and swapped in at the end: routing never
        # sees a half-loaded replica (the very first load fills the live one:
        # some numbers are better than none)
        if self.numbers:
            numbers, phones = {}, {}
        else:
            numbers, phones = self.numbers, self.phones
        cursor, _received = await self._pages(False, numbers, phones)
        self.numbers, self.phones = numbers, phones
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
        cursor, received = await self._pages(self.cursor, self.numbers, self.phones)
        self.cursor = cursor
        self.stats["refreshes"] += 1
        if received:
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
    def _cache_head(self):
        return json.dumps({"lines": self.lines, "ivr": self.ivr})[:-1] + ', "phones": ['

    def _encode_rows(self, rows):
        numbers = self.numbers
        return json.dumps([[p, e, numbers.get(e, 0)] for p, e in rows])[1:-1]

    def _write_cache(self, data):
        tmp = self.cache_path + ".tmp"
        try:
            with open(tmp, "wb") as fh:
                fh.write(data)
            os.replace(tmp, self.cache_path)
        except OSError:
            _logger.warning("routing replica not saved to %s", self.cache_path)

    def _save_cache(self):
        body = self._encode_rows(list(self.phones.items()))
        self._write_cache((self._cache_head() + body + "]}").encode())

    async def _save_cache_async(self):
        """The disk copy of 100,000 numbers is encoded on the event loop in
        slices of CHUNK rows and written by a thread. Not encoded in a thread:
        Python code in a thread holds the GIL against the loop for its whole
        run, and every socket call of a routing decision would then wait up
        to the 5 ms switch interval for it; file writes release the GIL. Only
        this task changes the replica (loads and refreshes await the save),
        so the rows are read straight from it, slice by slice."""
        rows = iter(self.phones.items())
        parts, sep = [self._cache_head().encode()], b""
        while chunk := list(itertools.islice(rows, CHUNK)):
            parts.append(sep + self._encode_rows(chunk).encode())
            sep = b","
            await asyncio.sleep(0)
        parts.append(b"]}")
        await asyncio.to_thread(self._write_parts, parts)

    def _write_parts(self, parts):
        self._write_cache(b"".join(parts))

    def _load_cache(self):
        with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
            with open(self.cache_path) as fh:
                self._apply(json.load(fh))
            _logger.info(
                "routing replica from %s: %d numbers (refreshed from Odoo next)",
                self.cache_path,
                len(self.numbers),
            )
