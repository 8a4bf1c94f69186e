"""Forward AMI events to Odoo ``ami_events`` in small ordered batches.

One sender task, one FIFO: events reach Odoo in the order Asterisk emitted
them, so per-linkedid ordering holds. A DialBegin (an operator phone starts
ringing: Odoo pushes the popup) flushes at once; other events wait at most
``event_flush_interval`` or until a batch is full. While Odoo is unreachable
the FIFO keeps up to ``event_buffer_max`` events (oldest dropped, with an
error line) and is retried with capped backoff.
"""

import asyncio
import collections
import contextlib
import logging

from .backoff import backoff_delay

_logger = logging.getLogger("eldercare_bridge.events")

URGENT = {"DialBegin", "BridgeEnter", "AgentConnect"}
DROP_KEYS = {"Privilege", "ActionID"}


class EventForwarder:
    def __init__(self, bridge):
        self.bridge = bridge
        cfg = bridge.cfg
        self.forward = set(cfg.forward_events)
        if cfg.forward_cdr:
            self.forward.add("Cdr")
        self.batch_size = cfg.event_batch_size
        self.interval = cfg.event_flush_interval
        self.buffer_max = cfg.event_buffer_max
        self.fifo = collections.deque()
        self._wake = asyncio.Event()
        self._urgent = False
        self.stats = {"queued": 0, "sent": 0, "dropped": 0, "batches": 0, "failures": 0}
        self._task = None
        self._send_lock = asyncio.Lock()  # one batch in flight: order, no resend

    def wants(self, name):
        return name in self.forward

    def push(self, frame, urgent=None):
        event = {k: v for k, v in frame.items() if k not in DROP_KEYS}
        if len(self.fifo) >= self.buffer_max:
            self.fifo.popleft()
            self.stats["dropped"] += 1
            if self.stats["dropped"] % 1000 == 1:
                _logger.error(
                    "AMI event buffer full (%d): Odoo unreachable for long; dropped %d "
                    "oldest event(s) so far (alarms are "
                    "not affected: they use the spool)",
                    self.buffer_max,
                    self.stats["dropped"],
                )
        self.fifo.append(event)
        self.stats["queued"] += 1
        if urgent is None:
            urgent = event.get("Event") in URGENT
        if urgent or len(self.fifo) >= self.batch_size:
            self._urgent = True
            self._wake.set()

    def start(self):
        self._task = asyncio.get_running_loop().create_task(self._run(), name="events")
        return self._task

    async def stop(self, flush_timeout=2.0):
        if self._task:
            try:
                await asyncio.wait_for(self.flush(), flush_timeout)
            except Exception as exc:
                _logger.warning(
                    "stopping: %d AMI events not forwarded to Odoo (%r)",
                    len(self.fifo),
                    exc,
                )
            self._task.cancel()

    async def flush(self):
        while self.fifo:
            await self._send_one_batch()

    async def _send_one_batch(self):
        async with self._send_lock:
            if self.fifo:
                await self._send_locked()

    async def _send_locked(self):
        batch = [self.fifo[i] for i in range(min(self.batch_size, len(self.fifo)))]
        await self.bridge.rpc.execute(
            "ami_events", batch, timeout=self.bridge.cfg.rpc_timeout
        )
        for _ in batch:
            if self.fifo:
                self.fifo.popleft()
        self.stats["sent"] += len(batch)
        self.stats["batches"] += 1

    async def _run(self):
        attempt = 0
        while True:
            if not self._urgent:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()
            self._urgent = False
            while self.fifo:
                try:
                    await self._send_one_batch()
                    attempt = 0
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    self.stats["failures"] += 1
                    delay = backoff_delay(attempt, base=0.5, cap=30.0)
                    attempt += 1
                    _logger.warning(
                        "forwarding %d AMI event(s) to "
                        "Odoo failed (%r); retry in %.1f s",
                        len(self.fifo),
                        exc,
                        delay,
                    )
                    await asyncio.sleep(delay)
