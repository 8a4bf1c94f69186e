"""The bridge's replica of what routing needs (issue 12, routing p99).

The bridge keeps a copy of the certified-number index (E.164 number -> elder)
and of the line table (DID -> emergency / service), loaded once in pages and
then refreshed by ``write_date``. With it the bridge answers Asterisk at once
(the emergency line never waits on Odoo) and raises the alert through its
durable spool; Odoo still raises the alert, logs the call and decides policy:
the replica is data only, and Odoo's answer wins for non-emergency lines
whenever it arrives in time.
"""

from datetime import timedelta

from odoo import api, fields, models

INDEX_PAGE_MAX = 50000
# A row carries its transaction's start time as write_date, and becomes
# visible only when that transaction commits: the next refresh starts at the
# start of the oldest transaction still open in this database when the page
# was read (rows no refresh has seen yet are all in such a transaction),
# less this margin (write_date has whole seconds). Rows written before are
# never sent twice, so a mass import is not sent again on every refresh.
INDEX_OVERLAP = timedelta(seconds=2)


class EldercarePbxBridgeIndex(models.AbstractModel):
    _inherit = "eldercare.pbx.bridge"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def bridge_route_index(self, cursor=False, after_id=0, limit=INDEX_PAGE_MAX):
        """One page of the routing replica.

        ``cursor`` False: a full load, ``after_id`` pages through the phones
        by id (``limit`` per page, at most 50,000). ``cursor`` the value of a
        previous answer: only the phones (or their elders) written since,
        paged the same way by ``after_id``.
        Returns ``{"cursor", "lines": {did: "emergency"|"service"}, "ivr",
        "phones": [[phone_id, e164, elder_id]], "more", "last_id"}``; an
        ``elder_id`` of 0 means the number no longer identifies an elder
        (archived phone or elder, no longer an elder): drop it."""
        self = self._check_bridge_access()
        now = self._index_cursor()
        limit = max(1, min(int(limit or INDEX_PAGE_MAX), INDEX_PAGE_MAX))
        Phone = self.env["eldercare.phone"].with_context(active_test=False)
        domain = [("number_e164", "!=", False)]
        if cursor:
            since = fields.Datetime.to_datetime(cursor) - INDEX_OVERLAP
            domain += [
                "|",
                ("write_date", ">=", since),
                ("partner_id.write_date", ">=", since),
            ]
        domain += [("id", ">", int(after_id or 0))]
        phones = Phone.search_fetch(
            domain, ["number_e164", "active", "partner_id"], order="id", limit=limit
        )
        # one read of the elders' flags for the whole page (prefetched)
        phones.partner_id.with_context(active_test=False).fetch(["active", "is_elder"])
        rows = []
        for phone in phones:
            elder = phone.partner_id
            certified = phone.active and elder.active and elder.is_elder
            rows.append([phone.id, phone.number_e164, elder.id if certified else 0])
        config = self._bridge_config_cached()
        return {
            "cursor": fields.Datetime.to_string(now),
            "lines": {number: kind for number, (_id, kind) in config["lines"].items()},
            "ivr": config["ivr"],
            "phones": rows,
            "more": len(phones) == limit,
            "last_id": phones[-1:].id or int(after_id or 0),
        }

    def _index_cursor(self):
        """Where the next refresh starts: the start of the oldest transaction
        open in this database now (this one included), in UTC."""
        self.env.cr.execute(
            "SELECT min(xact_start) AT TIME ZONE 'UTC' FROM pg_stat_activity "
            "WHERE datname = current_database() AND xact_start IS NOT NULL"
        )
        oldest = self.env.cr.fetchone()[0]
        now = fields.Datetime.now()
        return min(oldest.replace(microsecond=0), now) if oldest else now
