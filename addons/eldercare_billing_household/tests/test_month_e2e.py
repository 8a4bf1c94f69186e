import re
from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon
from odoo.addons.eldercare_household.tests.common import HouseholdTestMixin


@tagged("post_install", "-at_install")
class TestMonthEndToEnd(HouseholdTestMixin, AccountTestInvoicingHttpCommon):
    """One month across the addons, as the people involved would do it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True), su=True)
        cls._setup_household_world()
        env = cls.env
        cls.payer = env["res.partner"].create(
            {"name": "测试街道办事处", "is_company": True, "is_subsidy_payer": True}
        )
        cls.category = env["eldercare.elder.category"].create(
            {"name": "低保(端到端)", "code": "e2e_dibao"}
        )
        env["eldercare.subsidy.rule"].create(
            {
                "name": "低保补贴50%",
                "elder_category_id": cls.category.id,
                "percentage": 50.0,
                "payer_id": cls.payer.id,
            }
        )
        cls.elder.write(
            {"elder_category_id": cls.category.id, "email": "liuxiuying@example.com"}
        )
        cls.worker = new_test_user(
            env, login="e2e_worker", groups="eldercare_base.group_eldercare_worker"
        )
        cls.finance = new_test_user(
            env, login="e2e_finance", groups="eldercare_base.group_eldercare_finance"
        )

    def _csrf(self, html):
        match = re.search(r'name="csrf_token" value="([^"]+)"', html)
        self.assertTrue(match, "the page has a CSRF-protected form")
        return match.group(1)

    def _portal_post(self, order, action, **data):
        page = self.url_open(f"/my/work_orders/{order.id}")
        self.assertEqual(page.status_code, 200)
        data["csrf_token"] = self._csrf(page.text)
        response = self.url_open(f"/my/work_orders/{order.id}/{action}", data=data)
        self.assertEqual(response.status_code, 200)
        self.env.invalidate_all()
        return response

    def test_a_month_from_need_to_paid_statement(self):
        env = self.env
        # 1. a recurring need becomes work orders
        need = env["eldercare.recurring.need"].create(
            {
                "elder_id": self.elder.id,
                "product_id": self.service.id,
                "provider_id": self.provider_a.id,
                "freq": "daily",
                "date_start": fields.Date.context_today(self.elder),
            }
        )
        now = fields.Datetime.now().replace(microsecond=0)
        need._generate_work_orders()  # what the cron does (the create did too)
        orders = env["eldercare.work.order"].search([("need_id", "=", need.id)])
        self.assertTrue(orders)
        order = orders.sorted("date_scheduled")[0]
        self.assertEqual(order.provider_id, self.provider_a)
        # 2. dispatched to the contracted provider (through the coordinator's
        #    assign action until the automatic dispatch lands)
        if order.state == "draft":
            order.with_user(self.operator).action_assign()
        self.assertEqual(order.state, "assigned")
        # 3. the provider accepts and finishes in its portal
        self.authenticate("provider_a_test", "provider_a_test")
        self._portal_post(order, "accept")
        self.assertEqual(order.state, "accepted")
        self._portal_post(order, "finish", quantity="1", note="已开锁，老人满意")
        self.assertEqual(order.state, "done")
        self.assertEqual(order.quantity, 1.0)
        # a provider's "done" is a claim: not billed, not on the running total
        Statement = env["eldercare.statement"]
        self.assertEqual(Statement._running_total(self.elder)["line_count"], 0)
        # 4. verified by the center
        order.with_user(self.supervisor).action_verify()
        self.assertEqual(order.state, "verified")
        # same month: an in-house emergency follow-up by the community worker
        visit = env["eldercare.work.order"].create(
            {
                "elder_id": self.elder.id,
                "product_id": self.service.id,
                "origin": "alert",
                "user_id": self.worker.id,
                "date_scheduled": now,
            }
        )
        visit.with_user(self.supervisor).action_assign_in_house()
        visit.action_accept()
        visit.action_start()
        visit.action_done()
        visit.action_verify()
        running = Statement._running_total(self.elder)
        self.assertTrue(running["complete"], running["problems"])
        self.assertEqual(running["line_count"], 1)
        self.assertEqual(running["amount_elder"], 40.0)
        # 5. month end, by finance
        period = order.billing_date.strftime("%Y-%m")
        self.assertEqual(visit.billing_date.strftime("%Y-%m"), period)
        run = (
            env["eldercare.billing.run"]
            .with_user(self.finance)
            ._get_or_create(period, env.company)
        )
        run._run()
        run = run.sudo()
        self.assertEqual(run.state, "done", run.summary)
        self.assertFalse(run.line_ids, run.summary)
        statement = Statement.search(
            [("partner_id", "=", self.elder.id), ("period", "=", period)]
        )
        self.assertEqual(statement.state, "invoiced")
        self.assertEqual(statement.line_ids.work_order_id, order)  # not the visit
        self.assertEqual(
            (statement.amount_total, statement.amount_subsidy, statement.amount_elder),
            (80.0, 40.0, 40.0),
        )
        invoice = statement.invoice_id
        self.assertEqual((invoice.state, invoice.amount_total), ("posted", 40.0))
        subsidy = statement.subsidy_move_ids
        self.assertEqual(subsidy.partner_id, self.payer)
        self.assertEqual(subsidy.state, "posted")
        bill = statement.vendor_bill_ids
        self.assertEqual(bill.partner_id, self.provider_a)
        self.assertEqual((bill.state, bill.move_type), ("posted", "in_invoice"))
        self.assertEqual(bill.eldercare_settlement_line_ids.work_order_id, order)
        self.assertEqual(bill.amount_total, 80.0)
        # 6. delivered: email with the printed statement, portal link by token
        Statement._cron_deliver_statements()
        self.assertEqual(statement.delivery_state, "done")
        self.logout()
        page = self.url_open(statement.get_portal_url())
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.elder.name, page.text)
        self.assertIn("40.00", page.text)
        denied = self.url_open(f"/my/statements/{statement.id}")
        self.assertNotIn(self.elder.name, denied.text)
        # the provider sees the settlement in its portal, from the work order
        self.authenticate("provider_a_test", "provider_a_test")
        page = self.url_open(f"/my/work_orders/{order.id}")
        self.assertIn(f"/my/settlements/{bill.id}", page.text)
        sheet = self.url_open(f"/my/settlements/{bill.id}")
        self.assertIn(order.name, sheet.text)
        # 7. the elder pays at the counter: payment registered, statement paid
        self.assertEqual(statement.payment_state, "not_paid")
        wizard = (
            env["account.payment.register"]
            .with_user(self.finance)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({})
        )
        wizard._create_payments()
        self.assertIn(statement.payment_state, ("paid", "in_payment"))
        self.assertEqual(statement.amount_residual, 0.0)
        # paid: no payment reminder for this month
        later = invoice.invoice_date_due + timedelta(days=10)
        self.assertNotIn(statement, Statement._give_payment_reminders(date=later))
