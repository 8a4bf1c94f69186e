"""Routing lookups grouped into batches while Odoo is busy.

A lookup goes to Odoo at once when fewer than ``max_inflight`` batches are
running; the lookups that arrive meanwhile wait and leave together, as one
``agi_route_batch`` call, when a batch comes back. A quiet line therefore pays
nothing, and a burst of simultaneous emergency calls costs Odoo one
transaction per batch (one elder query, one alert create, one popup push)
instead of one per call.
"""

import asyncio
import collections
import logging

_logger = logging.getLogger("eldercare_bridge.routing")


class RouteBatcher:
    def __init__(self, rpc, max_batch=25, max_inflight=2, timeout=10.0):
        self.rpc = rpc
        self.max_batch = max(1, int(max_batch))
        self.max_inflight = max(1, int(max_inflight))
        self.timeout = timeout
        self._queue = collections.deque()  # (params, future)
        self._inflight = 0
        self._tasks = set()
        self.stats = {"batches": 0, "lookups": 0, "largest": 0, "abandoned": 0}

    def submit(self, params):
        """Queue one lookup; the future gets Odoo's decision (a dict) or the
        exception of its batch. Cancelling the future before its batch leaves
        drops the lookup (a service call that gave up waiting)."""
        future = asyncio.get_running_loop().create_future()
        self._queue.append((params, future))
        self._kick()
        return future

    def _kick(self):
        while self._queue and self._inflight < self.max_inflight:
            batch = []
            while self._queue and len(batch) < self.max_batch:
                params, future = self._queue.popleft()
                if not future.done():
                    batch.append((params, future))
            if not batch:
                return
            self._inflight += 1
            task = asyncio.ensure_future(self._send(batch))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            for _params, future in batch:
                future.add_done_callback(
                    lambda _f, batch=batch, task=task: self._abandon(batch, task)
                )

    def _abandon(self, batch, task):
        """Every lookup of a running batch gave up (service calls past their
        deadline; emergency lookups never give up): stop waiting for Odoo so
        the batch no longer holds a connection and an in-flight slot."""
        if not task.done() and all(future.cancelled() for _p, future in batch):
            self.stats["abandoned"] += 1
            task.cancel()

    async def _send(self, batch):
        self.stats["batches"] += 1
        self.stats["lookups"] += len(batch)
        self.stats["largest"] = max(self.stats["largest"], len(batch))
        try:
            results = await self.rpc.execute(
                "agi_route_batch",
                [params for params, _f in batch],
                timeout=self.timeout,
            )
            if not isinstance(results, list) or len(results) != len(batch):
                raise ValueError(
                    f"Odoo agi_route_batch answered {results!r:.200} "
                    f"for {len(batch)} call(s)"
                )
        except asyncio.CancelledError:
            for _params, future in batch:
                future.cancel()
            raise
        except Exception as exc:
            # every lookup of the batch gets the error: each one logs it and
            # takes the fallback route (emergency alarms are spooled)
            _logger.warning("routing batch of %d call(s) failed: %r", len(batch), exc)
            for _params, future in batch:
                if not future.done():
                    future.set_exception(exc)
        else:
            for (_params, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)
        finally:
            self._inflight -= 1
            self._kick()

    async def close(self):
        for task in list(self._tasks):
            task.cancel()
        while self._queue:
            self._queue.popleft()[1].cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
