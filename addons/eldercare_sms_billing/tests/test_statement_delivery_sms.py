from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.eldercare_billing.tests.common import EldercareBillingDataMixin
from odoo.addons.eldercare_sms.tests.common import configure_kannel


@tagged("post_install", "-at_install")
class TestStatementDeliverySms(EldercareBillingDataMixin, AccountTestInvoicingCommon):
    """Billing's delivery and payment reminders use the Kannel gateway."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True), su=True)
        configure_kannel(cls.env)
        cls._setup_billing_data()
        cls._setup_month_orders()
        cls.elder_normal.write(
            {"mobile": "13944445555", "eldercare_reminder_channel": "sms"}
        )

    @freeze_time("2025-04-01 02:00:00")  # 10:00 in Shanghai
    def test_delivery_reports_the_sms_and_texts_nobody_twice(self):
        run = self.env["eldercare.billing.run"]._get_or_create(
            self.period, self.env.company
        )
        run._run()
        statement = self.env["eldercare.statement"].search(
            [("partner_id", "=", self.elder_normal.id), ("period", "=", self.period)]
        )
        Sms = self.env["sms.sms"]
        domain = [
            ("eldercare_res_model", "=", "eldercare.statement"),
            ("eldercare_res_id", "=", statement.id),
        ]
        self.assertEqual(Sms.search_count(domain), 1)
        self.env["eldercare.statement"]._cron_deliver_statements()
        self.assertEqual(statement.delivery_state, "done")
        self.assertIn("SMS sent to 13944445555", statement.delivery_note)
        self.assertEqual(Sms.search_count(domain), 1, "not texted a second time")

    def test_payment_reminder_by_sms_through_the_gateway(self):
        run = self.env["eldercare.billing.run"]._get_or_create(
            self.period, self.env.company
        )
        run._run()
        statement = self.env["eldercare.statement"].search(
            [("partner_id", "=", self.elder_normal.id), ("period", "=", self.period)]
        )
        day = statement.invoice_date_due + timedelta(days=5)
        reminded = self.env["eldercare.statement"]._give_payment_reminders(date=day)
        self.assertIn(statement, reminded)
        self.assertEqual(statement.payment_reminder_channel, "sms")
        reminder = self.env["sms.sms"].search(
            [
                ("eldercare_res_model", "=", "eldercare.statement"),
                ("eldercare_res_id", "=", statement.id),
                ("body", "ilike", "Reminder"),
            ]
        )
        self.assertEqual(len(reminder), 1)
        self.assertIn("165.00", reminder.body)
        # an SMS reminder is not also a call task
        self.assertNotIn(
            self.elder_normal,
            self.env["res.partner"]._eldercare_payment_reminder_partners(date=day),
        )
