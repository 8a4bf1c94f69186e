from datetime import date, datetime

from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import EldercareBillingDataMixin


@tagged("post_install", "-at_install", "eldercare_billing")
class TestBillingSeams(EldercareBillingDataMixin, AccountTestInvoicingCommon):
    """Non-billable orders, free vs. no price, verified-only billing, and a
    running total that tells about pricing problems."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_billing_month()
        cls.worker = new_test_user(
            cls.env,
            login="ec_seam_worker",
            groups="eldercare_base.group_eldercare_worker",
        )

    def _run(self):
        run = self.env["eldercare.billing.run"]._get_or_create(
            self.period, self.env.company
        )
        run._run()
        return run

    def _statement(self, elder):
        return self.env["eldercare.statement"].search(
            [("partner_id", "=", elder.id), ("period", "=", self.period)]
        )

    def _in_house_visit(self, elder, day=12):
        """An emergency follow-up done by the community worker: no provider."""
        moment = datetime(2025, 3, day, 6, 0)
        return self.env["eldercare.work.order"].create(
            {
                "elder_id": elder.id,
                "product_id": self.svc_care.id,
                "user_id": self.worker.id,
                "origin": "alert",
                "state": "verified",
                "date_scheduled": moment,
                "date_end": moment,
            }
        )

    def test_in_house_visit_keeps_the_elder_billed(self):
        visit = self._in_house_visit(self.elder_normal)
        self.assertFalse(visit.eldercare_billable)
        self.assertEqual(visit.billing_price_state, "not_billable")
        run = self._run()
        self.assertEqual(run.state, "done", run.summary)
        statement = self._statement(self.elder_normal)
        self.assertEqual(statement.state, "invoiced")
        self.assertEqual(len(statement.line_ids), 4)  # the 4 provider services
        self.assertNotIn(visit, statement.line_ids.work_order_id)
        self.assertFalse(run.line_ids, "no problem reported for the in-house visit")
        # an elder whose only order of the month is in house: nothing to bill
        lonely = self.env["res.partner"].create(
            {
                "name": "钱独访",
                "is_elder": True,
                "elder_category_id": self.cat_normal.id,
                "community_id": self.community.id,
            }
        )
        self._in_house_visit(lonely)
        run = self._run()
        self.assertEqual(run.state, "done", run.summary)
        self.assertFalse(self._statement(lonely))

    def test_service_not_billed_to_elders(self):
        self.svc_meal.product_tmpl_id.eldercare_billable = False
        order = self._order(self.elder_normal, self.svc_meal, self.provider_a, 8)
        self.assertFalse(order.eldercare_billable)
        run = self._run()
        self.assertEqual(run.state, "done", run.summary)
        self.assertNotIn(
            order, self._statement(self.elder_normal).line_ids.work_order_id
        )

    def test_only_verified_orders_are_billed(self):
        done = self._order(
            self.elder_normal, self.svc_meal, self.provider_a, 8, state="done"
        )
        run = self._run()
        self.assertEqual(run.state, "done", run.summary)
        statement = self._statement(self.elder_normal)
        self.assertNotIn(done, statement.line_ids.work_order_id)
        self.assertEqual(statement.amount_total, 165.0)

    def test_free_and_no_price_are_distinct(self):
        self.contract_a.write(
            {
                "line_ids": [
                    Command.create(
                        {"product_id": self.svc_free_price.id, "price_unit": 0.0}
                    )
                ]
            }
        )
        free = self._order(self.elder_alone, self.svc_free_price, self.provider_a, 9)
        missing = self._order(
            self.elder_normal, self.svc_free_price, self.provider_b, 9, price_unit=0
        )
        waived = self._order(
            self.elder_dibao,
            self.svc_care,
            self.provider_a,
            9,
            price_unit=0,
            price_override_reason="服务未完成，免单",
        )
        priced = self.orders[0]
        self.assertEqual(free.billing_price_state, "free")
        self.assertEqual(missing.billing_price_state, "missing")
        self.assertEqual(waived.billing_price_state, "free")
        self.assertEqual(priced.billing_price_state, "priced")
        run = self._run()
        self.assertEqual(run.state, "done_errors")
        problems = run.line_ids.filtered(lambda ln: ln.level == "error")
        self.assertEqual(problems.partner_id, self.elder_normal)
        self.assertIn(missing.name, problems.message)
        free_line = self._statement(self.elder_alone).line_ids.filtered(
            lambda ln: ln.work_order_id == free
        )
        self.assertEqual((free_line.amount, free_line.amount_elder), (0.0, 0.0))
        waived_line = self._statement(self.elder_dibao).line_ids.filtered(
            lambda ln: ln.work_order_id == waived
        )
        self.assertEqual(waived_line.amount, 0.0)
        self.assertEqual(waived_line.price_unit_contract, 45.0)  # provider paid

    def test_running_total_reports_pricing_problems(self):
        Statement = self.env["eldercare.statement"]
        day = date(2025, 3, 31)
        total = Statement._running_total(self.elder_normal, day)
        self.assertTrue(total["complete"])
        self.assertEqual(total["problems"], [])
        self.assertEqual(total["amount_elder"], 165.0)
        missing = self._order(
            self.elder_normal, self.svc_free_price, self.provider_b, 9, price_unit=0
        )
        total = Statement._running_total(self.elder_normal, day)
        self.assertFalse(total["complete"])
        self.assertEqual(len(total["problems"]), 1)
        self.assertIn(missing.name, total["problems"][0])
        # the priced services are still summed, and marked incomplete
        self.assertEqual(total["amount_elder"], 165.0)
        # an in-house visit is not a problem
        self._in_house_visit(self.elder_dibao)
        self.assertTrue(Statement._running_total(self.elder_dibao, day)["complete"])
