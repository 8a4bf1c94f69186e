"""The call log rows the bridge API writes: one upsert for a batch of calls,
safe against the AMI events and the routing lookup of the same call logging
it at the same moment.

Two requests of the bridge often write the same call row at once: the routing
lookup (route, alert, elder) and the AMI event batch (channel, queue, ringing
operator). Under PostgreSQL's REPEATABLE READ the later writer is refused
("could not serialize access due to concurrent update") and Odoo would retry
its whole request after a random pause of up to 2 s, then 4 s: the alert
already raised in the routing request, and its popup, would wait that long.
The refused write is done right after this transaction commits instead, in a
transaction of its own (:meth:`_after_commit`), so the alert and its popup are
never held back by the call log."""

import logging
import time

import psycopg2

from odoo import api, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import mute_logger

_logger = logging.getLogger(__name__)

AFTER_COMMIT_TRIES = 5  # quick retries of a write deferred past the commit


class EldercarePbxBridge(models.AbstractModel):
    _inherit = "eldercare.pbx.bridge"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _merge_call_vals(self, call, vals, create_vals=None):
        """What of ``vals``/``create_vals`` an existing call row still lacks:
        empty fields are filled, route and queue follow the latest decision."""
        update = {
            key: value
            for key, value in vals.items()
            if value and (not call[key] or key in ("route", "queue"))
        }
        update.update(
            (key, value)
            for key, value in (create_vals or {}).items()
            if value and not call[key] and key not in update
        )
        return update

    def _upsert_calls(self, entries, logged=None):
        """Fill the call log rows of ``entries`` (``(linkedid, vals,
        create_vals)``), creating the missing ones; returns ``{linkedid: call}``.
        One search, one create for the calls not logged yet.

        When another request (the AMI events or the routing lookup of the same
        call) inserts the row at the same moment, this transaction cannot see
        it: the values are then merged into that row right after this
        transaction commits (:meth:`_merge_calls_after_commit`), never dropped."""
        Call = self.env["eldercare.call"]
        calls = {}
        if not entries:
            return calls
        if logged is None:
            logged = {
                call.linkedid: call
                for call in Call.search([("linkedid", "in", [e[0] for e in entries])])
            }
        calls.update(logged)
        new = {}
        for linkedid, vals, create_vals in entries:
            call = calls.get(linkedid)
            if call:
                update = self._merge_call_vals(call, vals, create_vals)
                if update:
                    self._write_call(call, update)
            elif linkedid not in new:
                new[linkedid] = (vals, create_vals or {})
        if not new:
            return calls
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                created = Call.create(
                    [dict(v, linkedid=lid, **c) for lid, (v, c) in new.items()]
                )
                calls.update(zip(new, created, strict=True))
        except psycopg2.IntegrityError:
            if len(new) > 1:  # one of them was logged concurrently: one by one
                for linkedid, (vals, create_vals) in new.items():
                    calls.update(self._upsert_calls([(linkedid, vals, create_vals)]))
            else:
                linkedid, (vals, create_vals) = next(iter(new.items()))
                _logger.info(
                    "Call %s logged concurrently: merged after commit", linkedid
                )
                self._merge_calls_after_commit(linkedid, vals, create_vals)
        return calls

    def _write_call(self, call, update):
        """Write an existing call row now, or right after this transaction
        commits when a concurrent request updated it (see the module doc)."""
        linkedid, values = call.linkedid, dict(update)
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                call.write(update)
                self.env.flush_all()
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            _logger.info("Call %s updated concurrently: merged after commit", linkedid)
            self._merge_calls_after_commit(linkedid, values, None)

    def _merge_calls_after_commit(self, linkedid, vals, create_vals):
        """Merge the values into the row another transaction created, once this
        one (which may hold the alert the values point to) is committed."""

        def merge(env):
            env["eldercare.pbx.bridge"]._merge_call_now(linkedid, vals, create_vals)

        self._after_commit(f"call {linkedid}", merge)

    def _after_commit(self, what, work):
        """Run ``work(env)`` once this transaction has committed, as
        superuser in a transaction of its own; a concurrent update is retried
        at once a few times (not after Odoo's pauses of seconds). Still
        refused: logged as an error with what was lost."""
        registry = self.env.registry
        context = dict(self.env.context)

        def run():
            for attempt in range(1, AFTER_COMMIT_TRIES + 1):
                try:
                    with mute_logger("odoo.sql_db"), registry.cursor() as cr:
                        env = api.Environment(cr, api.SUPERUSER_ID, context)
                        work(env)
                        # the commit flushes only through a live environment
                        env.flush_all()
                    return
                except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                    if attempt == AFTER_COMMIT_TRIES:
                        _logger.error(
                            "%s: still updated concurrently after %d tries, "
                            "not written",
                            what,
                            attempt,
                        )
                        return
                    time.sleep(0.01 * attempt)

        self.env.cr.postcommit.add(run)

    @api.model
    def _merge_call_now(self, linkedid, vals, create_vals=None):
        call = self.env["eldercare.call"].search([("linkedid", "=", linkedid)], limit=1)
        if not call:
            _logger.warning("Call %s to merge into is gone", linkedid)
            return call
        update = self._merge_call_vals(call, vals, create_vals)
        if update:
            call.write(update)
        return call
