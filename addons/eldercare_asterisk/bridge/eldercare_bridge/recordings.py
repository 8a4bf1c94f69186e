"""Call recordings: hand every finished MixMonitor file to Odoo, durably.

The dialplan (``eldercare-record`` in extensions_evidence.conf) records each
emergency and service call as ``<linkedid>.wav`` and, when MixMonitor closes
the file at the end of the call, moves it into ``<recording_dir>/done/``.
That directory *is* the spool: this uploader sends what it finds there to
Odoo (``eldercare.pbx.bridge.recordings_done``) and deletes a file only once
Odoo answered that it stored it. Odoo down, slow or refusing: the file stays
and is sent again later (capped backoff); a bridge restart loses nothing.
A file Odoo keeps refusing stays on disk and is logged; it never blocks the
others (each file is its own item, Odoo answers per item).
"""

import asyncio
import base64
import contextlib
import logging
import os
import time
import wave

from .backoff import backoff_delay
from .clock import utc_iso

_logger = logging.getLogger("eldercare_bridge.recordings")

MAX_BATCH_BYTES = 8 * 1024 * 1024  # raw audio per recordings_done call


def wav_duration(path):
    """Seconds of audio in a WAV file (0.0 when unreadable)."""
    try:
        with contextlib.closing(wave.open(path, "rb")) as wav:
            rate = wav.getframerate()
            return round(wav.getnframes() / float(rate), 3) if rate else 0.0
    except (OSError, EOFError, wave.Error):
        return 0.0


class RecordingUploader:
    def __init__(self, bridge, directory, interval=1.0):
        self.bridge = bridge
        self.directory = directory
        self.done_dir = os.path.join(directory, "done") if directory else ""
        self.interval = interval
        self.stats = {"uploaded": 0, "failed_rounds": 0, "refused": 0}
        self._task = None
        self._refused = {}  # path -> (monotonic time of the next try, attempts)

    def pending(self):
        """Finished recordings waiting for Odoo, oldest first."""
        if not self.done_dir:
            return []
        try:
            names = [n for n in os.listdir(self.done_dir) if n.endswith(".wav")]
        except FileNotFoundError:
            return []
        paths = [os.path.join(self.done_dir, n) for n in names]
        with_mtime = []
        for path in paths:
            with contextlib.suppress(FileNotFoundError):
                with_mtime.append((os.stat(path).st_mtime, path))
        now = time.monotonic()
        return [
            path
            for _mtime, path in sorted(with_mtime)
            if self._refused.get(path, (0, 0))[0] <= now
        ]

    def _item(self, path):
        name = os.path.basename(path)
        with open(path, "rb") as fh:
            data = fh.read()
        duration = wav_duration(path)
        ended = os.stat(path).st_mtime
        return {
            "linkedid": name[: -len(".wav")],
            "filename": name,
            "duration": duration,
            "size": len(data),
            "recorded_at": utc_iso(ended - duration),
            "data": base64.b64encode(data).decode("ascii"),
        }

    async def upload_once(self):
        """Send one batch; returns how many files Odoo stored (None: nothing
        to send). Raises when Odoo cannot be reached (the caller backs off)."""
        paths = self.pending()
        if not paths:
            return None
        batch, size = [], 0
        for path in paths:
            try:
                item = self._item(path)
            except FileNotFoundError:
                continue
            if batch and size + item["size"] > MAX_BATCH_BYTES:
                break
            batch.append((path, item))
            size += item["size"]
        if not batch:
            return None
        stored = await self.bridge.rpc.execute(
            "recordings_done",
            [item for _path, item in batch],
            timeout=max(self.bridge.cfg.rpc_timeout, 30.0),
        )
        stored = set(stored or ())
        for path, item in batch:
            if item["filename"] in stored:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
                self._refused.pop(path, None)
                self.stats["uploaded"] += 1
            else:
                # set aside for a while so it never blocks the other files
                tries = self._refused.get(path, (0, 0))[1]
                self._refused[path] = (
                    time.monotonic() + backoff_delay(tries, base=5.0, cap=600.0),
                    tries + 1,
                )
                self.stats["refused"] += 1
                _logger.error(
                    "Odoo did not store recording %s (kept in %s, retried later)",
                    item["filename"],
                    self.done_dir,
                )
        return len(stored & {item["filename"] for _p, item in batch})

    async def run(self):
        attempt = 0
        while True:
            delay = self.interval
            try:
                if await self.upload_once():
                    delay = 0  # more may be waiting
                attempt = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.stats["failed_rounds"] += 1
                delay = backoff_delay(attempt, base=self.interval, cap=30.0)
                attempt += 1
                _logger.warning(
                    "%d recording(s) wait for Odoo (%r); retry in %.0f s",
                    len(self.pending()),
                    exc,
                    delay,
                )
            await asyncio.sleep(delay)

    def start(self):
        if not self.directory:
            return None
        self._task = asyncio.get_running_loop().create_task(
            self.run(), name="recordings"
        )
        return self._task
