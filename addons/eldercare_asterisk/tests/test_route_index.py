from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError

from .common import ELDER_NUMBER_E164, EMERGENCY_DID, SERVICE_DID, EldercarePbxCase


class TestRouteIndex(EldercarePbxCase):
    """The bridge's replica of the routing data (bridge_route_index)."""

    def _api(self):
        return self.env["eldercare.pbx.bridge"].with_user(self.bridge_user)

    def _full(self, limit=50000):
        rows, after_id, pages = {}, 0, 0
        while True:
            page = self._api().bridge_route_index(False, after_id, limit)
            pages += 1
            rows.update({e164: elder for _id, e164, elder in page["phones"]})
            if not page["more"]:
                return page, rows, pages
            after_id = page["last_id"]

    def test_full_load_has_lines_and_certified_numbers_in_pages(self):
        page, rows, _pages = self._full()
        self.assertEqual(page["lines"][EMERGENCY_DID], "emergency")
        self.assertEqual(page["lines"][SERVICE_DID], "service")
        self.assertTrue(page["ivr"])
        self.assertEqual(rows[ELDER_NUMBER_E164], self.elder.id)
        # the same rows one phone per page
        count = self.env["eldercare.phone"].with_context(active_test=False)
        total = count.search_count([("number_e164", "!=", False)])
        _page, paged, pages = self._full(limit=max(1, total // 3))
        self.assertEqual(paged, rows)
        self.assertGreater(pages, 1)

    def test_refresh_sends_what_changed_and_drops_archived_elders(self):
        page = self._api().bridge_route_index(False, 0)
        cursor = page["cursor"]
        # the cursor looks back: rows of this transaction are all "new"; move
        # everything older than the overlap out of the window first
        old = fields.Datetime.now() - timedelta(days=1)
        self.env.cr.execute("UPDATE eldercare_phone SET write_date = %s", [old])
        self.env.cr.execute("UPDATE res_partner SET write_date = %s", [old])
        self.env.invalidate_all()
        self.assertEqual(self._api().bridge_route_index(cursor)["phones"], [])
        self.elder.write({"is_elder": False})
        self.env.flush_all()
        rows = self._api().bridge_route_index(cursor)["phones"]
        changed = {e164: elder for _id, e164, elder in rows}
        self.assertEqual(changed.get(ELDER_NUMBER_E164), 0, "dropped from the replica")

    def test_refresh_pages_by_id_like_a_full_load(self):
        cursor = self._api().bridge_route_index(False, 0)["cursor"]
        self.elder.write(
            {
                "elder_phone_ids": [
                    Command.create({"number": f"1370000710{i}", "phone_type": "mobile"})
                    for i in range(3)
                ]
            }
        )
        # everything of this transaction is "changed since": page it by 1
        changed, after_id = [], 0
        while True:
            page = self._api().bridge_route_index(cursor, after_id, 1)
            changed += [row[0] for row in page["phones"]]
            if not page["more"]:
                break
            after_id = page["last_id"]
        everything = self._api().bridge_route_index(cursor)["phones"]
        self.assertGreater(len(changed), 1)
        self.assertEqual(changed, [row[0] for row in everything])

    def test_cursor_is_no_later_than_this_transaction(self):
        """A row written by a transaction still open has a write_date at its
        start: the cursor never passes the oldest open transaction's start."""
        self.env.cr.execute(
            "SELECT xact_start AT TIME ZONE 'UTC' FROM pg_stat_activity "
            "WHERE pid = pg_backend_pid()"
        )
        started = self.env.cr.fetchone()[0]
        cursor = self._api().bridge_route_index(False, 0)["cursor"]
        self.assertLessEqual(fields.Datetime.to_datetime(cursor), started)

    def test_only_the_bridge_user_may_read_the_index(self):
        with self.assertRaises(AccessError):
            self.env["eldercare.pbx.bridge"].with_user(
                self.operator
            ).bridge_route_index()
