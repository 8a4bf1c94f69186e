from datetime import date, datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .common import EldercareCommon

NOW = "2026-12-01 00:00:00"  # a Tuesday, 08:00 in Shanghai


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestRecurring(EldercareCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._archive_recurring_needs()

    def _need(self, **vals):
        return self.env["eldercare.recurring.need"].create(
            {
                "elder_id": self.elder_a.id,
                "product_id": self.nanny.id,
                "freq": "weekly",
                "mon": True,
                "thu": True,
                "time_of_day": 9.0,
                "tz": "Asia/Shanghai",
                "date_start": date(2026, 12, 1),
                **vals,
            }
        )

    def _dates(self, need):
        return sorted(need.work_order_ids.mapped("date_scheduled"))

    def test_rrule_string(self):
        need = self._need()
        self.assertEqual(need.rrule, "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TH")
        need.write({"freq": "monthly", "month_day": 5})
        self.assertEqual(need.rrule, "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=5")
        self.assertIn("5", need.recurrence_description)

    def test_weekly_generation_on_create(self):
        need = self._need()
        # Thu 3, Mon 7, Thu 10, Mon 14 December at 09:00 Shanghai = 01:00 UTC
        self.assertEqual(
            self._dates(need),
            [
                datetime(2026, 12, 3, 1, 0),
                datetime(2026, 12, 7, 1, 0),
                datetime(2026, 12, 10, 1, 0),
                datetime(2026, 12, 14, 1, 0),
            ],
        )
        order = need.work_order_ids[:1]
        self.assertEqual(order.origin, "recurring")
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.elder_id, self.elder_a)

    def test_cron_idempotent(self):
        need = self._need()
        Need = self.env["eldercare.recurring.need"]
        self.assertEqual(Need._cron_generate_work_orders(), 0)
        self.assertEqual(Need._cron_generate_work_orders(), 0)
        self.assertEqual(len(need.work_order_ids), 4)
        # a cancelled occurrence is not re-created
        need.work_order_ids[0].action_cancel()
        self.assertEqual(Need._cron_generate_work_orders(), 0)
        self.assertEqual(len(need.work_order_ids), 4)
        # a day later the horizon moves by one day: Thu 17 is not yet in,
        # three days later it is
        with freeze_time("2026-12-04 00:00:00"):
            self.assertEqual(Need._cron_generate_work_orders(), 1)
            self.assertEqual(Need._cron_generate_work_orders(), 0)
        self.assertEqual(len(need.work_order_ids), 5)

    def test_horizon_parameter(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "eldercare_base.recurring_horizon_days", "7"
        )
        need = self._need()
        self.assertEqual(len(need.work_order_ids), 2)

    def test_edit_regenerates_only_future_undone(self):
        need = self._need()
        orders = need.work_order_ids.sorted("date_scheduled")
        accepted = orders[0]
        accepted.action_assign()
        accepted.action_accept()
        assigned = orders[1]
        assigned.action_assign()
        need.write({"mon": False, "thu": False, "wed": True})
        # Wed 2, 9 (new); the accepted Thu 3 stays; the assigned Mon 7 is re-planned
        self.assertEqual(
            self._dates(need),
            [
                datetime(2026, 12, 2, 1, 0),
                datetime(2026, 12, 3, 1, 0),
                datetime(2026, 12, 9, 1, 0),
            ],
        )
        self.assertTrue(accepted.exists())
        self.assertFalse(assigned.exists())
        # regenerating again changes nothing
        self.env["eldercare.recurring.need"]._cron_generate_work_orders()
        self.assertEqual(len(need.work_order_ids), 3)

    def test_past_orders_kept_on_edit(self):
        need = self._need()
        with freeze_time("2026-12-08 00:00:00"):
            need.time_of_day = 14.5  # 06:30 UTC
            dates = self._dates(need)
        # Thu 3 and Mon 7 are in the past: kept even though draft
        self.assertEqual(
            dates[:2], [datetime(2026, 12, 3, 1), datetime(2026, 12, 7, 1)]
        )
        self.assertEqual(dates[2], datetime(2026, 12, 10, 6, 30))

    def test_every_two_weeks_and_monthly(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "eldercare_base.recurring_horizon_days", "40"
        )
        fortnight = self._need(interval=2, thu=False)
        # starting on Tuesday 1st: first Monday is the 7th, then every 2 weeks
        self.assertEqual(
            self._dates(fortnight),
            [
                datetime(2026, 12, 7, 1, 0),
                datetime(2026, 12, 21, 1, 0),
                datetime(2027, 1, 4, 1, 0),
            ],
        )
        monthly = self._need(freq="monthly", month_day=5, product_id=self.gas.id)
        self.assertEqual(
            self._dates(monthly),
            [datetime(2026, 12, 5, 1, 0), datetime(2027, 1, 5, 1, 0)],
        )

    def test_end_date_and_archive(self):
        need = self._need(date_end=date(2026, 12, 7))
        self.assertEqual(len(need.work_order_ids), 2)
        need.date_end = False
        self.assertEqual(len(need.work_order_ids), 4)
        need.active = False
        self.assertFalse(need.work_order_ids)
        self.assertEqual(
            self.env["eldercare.recurring.need"]._cron_generate_work_orders(), 0
        )

    def test_archived_elder_stops_services(self):
        need = self._need()
        first = need.work_order_ids.sorted("date_scheduled")[0]
        first.action_assign()
        first.action_accept()
        self.elder_a.active = False
        self.assertEqual(need.work_order_ids, first, "accepted job kept, rest removed")
        self.assertEqual(
            self.env["eldercare.recurring.need"]._cron_generate_work_orders(), 0
        )

    def test_preferred_provider_and_price(self):
        need = self._need(provider_id=self.provider_1.id, quantity=2)
        order = need.work_order_ids[:1]
        self.assertEqual(order.provider_id, self.provider_1)
        self.assertEqual(order.price_unit, 45.0)
        self.assertEqual(order.amount_total, 90.0)
        # not eligible in community C: orders are generated without provider
        need_c = self._need(elder_id=self.elder_c.id, provider_id=self.provider_1.id)
        self.assertTrue(need_c.work_order_ids)
        self.assertFalse(need_c.work_order_ids.provider_id)

    def test_many_needs_one_batch(self):
        elders = self.env["res.partner"].create(
            [{"name": f"批量老人{i}", "is_elder": True} for i in range(30)]
        )
        Need = self.env["eldercare.recurring.need"].with_context(
            eldercare_no_generate=True
        )
        Need.create(
            [
                {
                    "elder_id": elder.id,
                    "product_id": self.gas.id,
                    "freq": "weekly",
                    "mon": True,
                    "date_start": date(2026, 12, 1),
                }
                for elder in elders
            ]
        )
        with self.assertQueryCount(__system__=25):
            created = self.env["eldercare.recurring.need"]._cron_generate_work_orders()
        self.assertEqual(created, 60)
