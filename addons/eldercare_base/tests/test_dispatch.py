from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import EldercareCommon

NOW = "2026-12-01 00:00:00"  # a Tuesday, 08:00 in Shanghai
PROVIDER = "base.group_portal,eldercare_base.group_eldercare_provider"


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestDispatch(EldercareCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._archive_recurring_needs()
        cls.coordinator = cls._user(
            "dp_coordinator", "base.group_user,eldercare_base.group_eldercare_operator"
        )
        cls.supervisor = cls._user(
            "dp_supervisor",
            "base.group_user,eldercare_base.group_eldercare_supervisor",
        )
        cls.provider_1.email = "dispatch@anxin.example.com"
        contact = cls.env["res.partner"].create(
            {"name": "安心调度员", "parent_id": cls.provider_1.id}
        )
        cls.provider_user = cls._user("dp_provider", PROVIDER, partner_id=contact.id)
        cls.WorkOrder = cls.env["eldercare.work.order"]

    def _order(self, **vals):
        return self.WorkOrder.with_user(self.coordinator).create(
            {
                "elder_id": self.elder_a.id,
                "product_id": self.plumbing.id,
                "date_scheduled": datetime(2026, 12, 1, 6, 0),
                **vals,
            }
        )

    def _activity(self, order, xmlid):
        kind = self.env.ref(xmlid)
        return order.activity_ids.filtered(lambda a: a.activity_type_id == kind)

    # ---------------------------------------------------------------- dispatch
    def test_recurring_orders_dispatched_and_provider_told(self):
        need = self.env["eldercare.recurring.need"].create(
            {
                "elder_id": self.elder_a.id,
                "product_id": self.nanny.id,
                "freq": "weekly",
                "mon": True,
                "thu": True,
                "date_start": date(2026, 12, 1),
                "coordinator_id": self.coordinator.id,
            }
        )
        orders = need.work_order_ids.sorted("date_scheduled")
        # Thu 3 is within the 3-day dispatch window; Mon 7 and later are not yet
        self.assertEqual(
            orders.mapped("state"), ["assigned", "draft", "draft", "draft"]
        )
        first = orders[0]
        self.assertEqual(first.provider_id, self.provider_1, "only contract for nanny")
        self.assertEqual(first.coordinator_id, self.coordinator)
        self.assertEqual(first.price_unit, 45.0)
        # the provider company (e-mail) and its portal user are told on the order
        message = first.message_ids.filtered(lambda m: "New work order" in m.body)
        self.assertEqual(len(message), 1)
        self.assertIn(self.provider_1, message.partner_ids)
        self.assertIn(self.provider_user.partner_id, message.partner_ids)
        self.assertIn(self.provider_user.partner_id, first.message_partner_ids)
        # the portal user sees it
        self.assertEqual(
            self.WorkOrder.with_user(self.provider_user).search(
                [("need_id", "=", need.id)]
            ),
            first,
        )
        first.with_user(self.provider_user).action_accept()
        # days later the cron dispatches what came into the window, once
        with freeze_time("2026-12-05 00:00:00"):
            self.WorkOrder._cron_dispatch_and_deadlines()
            # Mon 7 came into the window (until the 8th), Thu 10 not yet
            self.assertEqual(
                orders.mapped("state"), ["accepted", "assigned", "draft", "draft"]
            )
            again = self.WorkOrder._cron_dispatch_and_deadlines()
            self.assertEqual(again["dispatched"], 0)

    def test_generation_cron_hands_over_to_the_dispatch_cron(self):
        need = (
            self.env["eldercare.recurring.need"]
            .with_context(eldercare_no_generate=True)
            .create(
                {
                    "elder_id": self.elder_a.id,
                    "product_id": self.nanny.id,
                    "freq": "daily",
                    "date_start": date(2026, 12, 1),
                }
            )
        )
        dispatch_cron = self.env.ref("eldercare_base.ir_cron_work_order_dispatch")
        triggers = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", dispatch_cron.id)]
        )
        self.assertTrue(
            self.env["eldercare.recurring.need"]._cron_generate_work_orders()
        )
        self.assertTrue(set(need.work_order_ids.mapped("state")) == {"draft"})
        self.assertGreater(
            self.env["ir.cron.trigger"].search_count(
                [("cron_id", "=", dispatch_cron.id)]
            ),
            len(triggers),
            "the dispatch cron is triggered",
        )
        self.WorkOrder._cron_dispatch_and_deadlines()
        # 09:00 Shanghai on Dec 1 is in the past day window: dispatched too
        in_window = need.work_order_ids.filtered(
            lambda o: o.date_scheduled <= datetime(2026, 12, 4)
        )
        self.assertEqual(set(in_window.mapped("state")), {"assigned"})
        self.assertEqual(in_window.provider_id, self.provider_1)

    def test_rule_price_then_rating_then_load_and_capacity(self):
        # plumbing in community A: provider 2 (60) is cheaper than provider 1 (80)
        self.assertEqual(self._order()._propose_provider()[0], self.provider_2)
        # same price: the better rated wins
        self.contract_1.line_ids.filtered(
            lambda line: line.product_id == self.plumbing
        ).price_unit = 60.0
        rated = self._order(provider_id=self.provider_2.id)
        rated.sudo().write({"state": "verified", "satisfaction": "2"})
        self.assertEqual(self._order()._propose_provider()[0], self.provider_1)
        rated.sudo().satisfaction = False
        # same price, no rating: the less loaded wins (provider 2 has one open)
        self._order(provider_id=self.provider_2.id).action_assign()
        self.assertEqual(self._order()._propose_provider()[0], self.provider_1)
        # full (capacity reached): skipped even when it is the best
        self.contract_1.max_open_orders = 1
        self._order(provider_id=self.provider_1.id).action_assign()
        self._order(provider_id=self.provider_1.id).action_assign()
        self.assertEqual(self._order()._propose_provider()[0], self.provider_2)
        # one batch spreads over providers as it plans
        self.contract_1.max_open_orders = 0
        batch = self._order() | self._order() | self._order()
        batch.action_assign()
        self.assertEqual(len(batch.provider_id), 2)

    def test_manual_order_dispatched_by_cron_in_house_not(self):
        manual = self._order()
        in_house = self._order(user_id=self.coordinator.id)
        no_auto = self._order(auto_dispatch=False)
        self.WorkOrder._cron_dispatch_and_deadlines()
        self.assertEqual(manual.state, "assigned")
        self.assertEqual(manual.provider_id, self.provider_2)
        self.assertEqual(in_house.state, "draft")
        self.assertEqual(no_auto.state, "draft")

    def test_no_provider_tells_coordinator_once(self):
        order = self._order(elder_id=self.elder_c.id)  # nobody covers community C
        self.WorkOrder._cron_dispatch_and_deadlines()
        self.WorkOrder._cron_dispatch_and_deadlines()
        todo = self._activity(
            order, "eldercare_base.mail_activity_type_work_order_dispatch"
        )
        self.assertEqual(len(todo), 1)
        self.assertEqual(todo.user_id, self.coordinator)
        self.assertIn("No provider has an active contract", todo.note)

    # --------------------------------------------------------------- deadlines
    def test_slow_acceptance_warns_then_redispatches(self):
        order = self._order()
        order.action_assign()
        self.assertEqual(order.provider_id, self.provider_2)
        self.assertEqual(order.accept_deadline, datetime(2026, 12, 1, 4, 0))
        late = "eldercare_base.mail_activity_type_work_order_late"
        with freeze_time("2026-12-01 03:59:00"):
            self.WorkOrder._cron_dispatch_and_deadlines()
        self.assertFalse(self._activity(order, late))
        with freeze_time("2026-12-01 04:30:00"):
            self.WorkOrder._cron_dispatch_and_deadlines()
            self.WorkOrder._cron_dispatch_and_deadlines()
        warning = self._activity(order, late)
        self.assertEqual(len(warning), 1, "warned once")
        self.assertEqual(warning.user_id, self.coordinator)
        self.assertEqual(order.provider_id, self.provider_2, "it may still accept")
        # twice the time to accept: taken back and sent to the next provider
        with freeze_time("2026-12-01 08:00:00"):
            self.WorkOrder._cron_dispatch_and_deadlines()
        self.assertEqual(order.state, "assigned")
        self.assertEqual(order.provider_id, self.provider_1)
        self.assertIn(self.provider_2, order.refused_provider_ids)
        self.assertIn("No acceptance", order.decline_reason)
        self.assertFalse(order.escalated)
        # the next one is late too and nobody is left: the supervisor steps in
        with freeze_time("2026-12-01 16:00:00"):
            self.WorkOrder._cron_dispatch_and_deadlines()
        self.assertEqual(order.state, "draft")
        self.assertTrue(order.escalated)
        escalation = self._activity(
            order, "eldercare_base.mail_activity_type_work_order_escalation"
        )
        self.assertIn(self.supervisor, escalation.user_id)
        self.assertTrue(
            self._activity(
                order, "eldercare_base.mail_activity_type_work_order_dispatch"
            )
        )

    def test_slow_start_warns_then_escalates_and_overdue(self):
        order = self._order()
        order.action_assign()
        order.action_accept()
        self.assertEqual(order.start_deadline, datetime(2026, 12, 1, 7, 0))
        with freeze_time("2026-12-01 07:10:00"):
            self.WorkOrder._cron_dispatch_and_deadlines()
        self.assertTrue(order.late_warned)
        self.assertEqual(
            self._activity(
                order, "eldercare_base.mail_activity_type_work_order_late"
            ).user_id,
            self.coordinator,
        )
        self.assertFalse(order.escalated)
        with freeze_time("2026-12-01 08:00:00"):
            self.WorkOrder._cron_dispatch_and_deadlines()
        self.assertTrue(order.escalated)
        self.assertEqual(order.provider_id, self.provider_2, "accepted: not taken back")
        # starting closes the slow-provider warning
        order.action_start()
        self.assertFalse(
            self._activity(order, "eldercare_base.mail_activity_type_work_order_late")
        )
        # an order past its deadline escalates like an alert
        overdue = self._order(date_deadline=datetime(2026, 12, 1, 10, 0))
        overdue.action_assign()
        overdue.action_accept()
        overdue.action_start()
        with freeze_time("2026-12-01 10:05:00"):
            self.WorkOrder._cron_dispatch_and_deadlines()
        self.assertTrue(overdue.escalated)
        self.assertTrue(
            self._activity(
                overdue, "eldercare_base.mail_activity_type_work_order_escalation"
            )
        )

    # ------------------------------------------------------------ verification
    def _done_order(self, method, **vals):
        self.plumbing.eldercare_verification = method
        order = self._order(**vals)
        order.action_assign()
        order.action_accept()
        order.action_start()
        order.action_done()
        return order

    def test_verification_by_survey_answer(self):
        order = self._done_order("survey")
        self.assertEqual(order.state, "done")
        todo = self._activity(
            order, "eldercare_base.mail_activity_type_work_order_verify"
        )
        self.assertIn("Call", todo.note)
        order.with_user(self.coordinator).write({"satisfaction": "4"})
        self.assertEqual(order.state, "verified")
        self.assertEqual(order.verified_via, "survey")
        self.assertFalse(order.activity_ids)

    def test_verification_by_evidence(self):
        self.elder_a.eldercare_service_pin = "4321"
        order = self._done_order("evidence")
        # no photo and no PIN: the coordinator checks
        self.assertEqual(order.state, "done")
        todo = self._activity(
            order, "eldercare_base.mail_activity_type_work_order_verify"
        )
        self.assertIn("a photo of the work", todo.note)
        self.assertIn("PIN", todo.note)
        # full evidence verifies at once
        complete = self._order()
        complete.action_assign()
        complete.action_accept()
        with freeze_time("2026-12-01 06:00:00"):
            complete.action_start()
        complete.sudo().write({"evidence_pin_ok": True})
        complete.message_post(body="done", attachments=[("after.png", b"\x89PNG\r\n")])
        with freeze_time("2026-12-01 07:30:00"):
            complete.action_done()
        self.assertEqual(complete.state, "verified")
        self.assertEqual(complete.verified_via, "evidence")
        self.assertTrue(self.elder_a._eldercare_check_service_pin("4321"))
        self.assertFalse(self.elder_a._eldercare_check_service_pin("1234"))

    def test_coordinator_sends_claim_back(self):
        order = self._done_order("coordinator")
        order.action_reopen()
        self.assertEqual(order.state, "in_progress")
        self.assertFalse(order.date_end)

    # ----------------------------------------------------------- portal bounds
    def test_provider_direct_writes_refused(self):
        order = self._order(provider_id=self.provider_1.id)
        order.action_assign()
        as_provider = order.with_user(self.provider_user)
        self.assertEqual(as_provider.name, order.name, "the provider sees it")
        staff = self.env["eldercare.provider.staff"].create(
            {"name": "刘师傅", "provider_id": self.provider_1.id}
        )
        attempts = {
            "state": "done",
            "date_scheduled": datetime(2026, 12, 2),
            "date_deadline": datetime(2026, 12, 3),
            "date_end": datetime(2026, 12, 1, 8),
            "price_unit": 999.0,
            "quantity": 999.0,
            "user_id": self.provider_user.id,
            "staff_id": staff.id,
            "provider_id": self.provider_2.id,
            "satisfaction": "5",
            "evidence_pin_ok": True,
        }
        for field, value in attempts.items():
            with (
                self.subTest(field=field),
                self.assertRaisesRegex(
                    AccessError, "only through the steps of the provider portal"
                ),
            ):
                as_provider.write({field: value})
        order.invalidate_recordset()
        self.assertEqual(order.state, "assigned")
        self.assertEqual(order.quantity, 1.0)
        self.assertEqual(order.price_unit, 80.0)
        with self.assertRaises(AccessError):
            as_provider.action_verify()
        # the steps themselves stay possible, and "done" is only a claim
        as_provider.action_accept()
        as_provider.action_start()
        as_provider.action_done()
        self.assertEqual(order.state, "done")
        with self.assertRaises(AccessError):
            as_provider.write({"state": "verified"})
        self.assertEqual(order.state, "done")

    def test_contract_max_quantity(self):
        line = self.contract_1.line_ids.filtered(
            lambda line: line.product_id == self.plumbing
        )
        order = self._order(provider_id=self.provider_1.id)
        self.assertEqual(order.max_quantity, 10.0, "the service item's default")
        line.max_quantity = 3.0
        order.invalidate_recordset(["max_quantity"])
        self.assertEqual(order.max_quantity, 3.0)
        self.contract_1.write(
            {"line_ids": [Command.update(line.id, {"max_quantity": 0.0})]}
        )
        self.plumbing.eldercare_max_quantity = 2.0
        order.invalidate_recordset(["max_quantity"])
        self.assertEqual(order.max_quantity, 2.0)
