from datetime import date, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import EldercareBillingDataMixin


@tagged("post_install", "-at_install", "eldercare_billing")
class TestStatementDelivery(EldercareBillingDataMixin, AccountTestInvoicingCommon):
    """Statements delivered (portal token, email + printed statement, SMS),
    paid through accounting, and reminded once when unpaid past due."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_billing_month()
        cls.elder_normal.write({"email": "zhaoshufen@example.com"})
        cls.elder_dibao.write({"mobile": "13800138111"})
        cls.elder_dibao.relative_ids = [
            (0, 0, {"name": "张女儿", "phone": "13900139222"}),
        ]
        cls.month_run = cls.env["eldercare.billing.run"]._get_or_create(
            cls.period, cls.env.company
        )
        cls.month_run._run()
        Statement = cls.env["eldercare.statement"]
        cls.st_normal = Statement.search([("partner_id", "=", cls.elder_normal.id)])
        cls.st_dibao = Statement.search([("partner_id", "=", cls.elder_dibao.id)])
        cls.st_alone = Statement.search([("partner_id", "=", cls.elder_alone.id)])

    def test_month_end_queues_delivery_and_cron_delivers(self):
        statements = self.st_normal | self.st_dibao | self.st_alone
        self.assertEqual(set(statements.mapped("delivery_state")), {"pending"})
        sms_calls = []

        def fake_sms(statement, numbers, body):
            sms_calls.append((statement, numbers, body))
            return numbers

        self.env["eldercare.statement"]._cron_deliver_statements()
        # the elder with an email got it, with the printed statement attached
        self.assertEqual(self.st_normal.delivery_state, "done")
        message = self.st_normal.message_ids.filtered(
            lambda m: self.elder_normal in m.partner_ids
        )
        self.assertEqual(len(message), 1)
        self.assertIn(self.st_normal.get_portal_url(), message.body)
        self.assertIn("access_token", message.body)
        attachment = message.attachment_ids
        self.assertEqual(len(attachment), 1)
        # tests render HTML (Odoo's test mode); it is then named as such
        self.assertTrue(
            attachment.name.endswith(".pdf") or attachment.name.endswith("(HTML).html"),
            attachment.name,
        )
        self.assertIn(self.elder_normal.name, attachment.raw.decode())
        # without a gateway no SMS is pretended
        self.assertEqual(self.st_dibao.delivery_state, "no_channel")
        self.assertIn("No SMS sent", self.st_dibao.delivery_note)
        self.assertEqual(self.st_alone.delivery_state, "no_channel")
        # with a gateway: elder's mobile and the emergency-contact relative
        with patch.object(
            type(self.env["eldercare.statement"]),
            "_eldercare_send_statement_notice",
            fake_sms,
        ):
            self.st_dibao.action_deliver()
        self.assertEqual(self.st_dibao.delivery_state, "done")
        [(statement, numbers, body)] = sms_calls
        self.assertEqual(statement, self.st_dibao)
        self.assertEqual(numbers, ["+8613800138111", "+8613900139222"])
        self.assertIn("35.00", body)
        self.assertIn("SMS sent", self.st_dibao.delivery_note)

    def test_printed_statement_is_a_real_pdf_when_wkhtmltopdf_works(self):
        Report = self.env["ir.actions.report"]
        if Report.get_wkhtmltopdf_state() != "ok":
            name, content = self.st_normal._eldercare_printed_statement()
            self.assertTrue(name.endswith("(HTML).html"), name)
            return
        name, content = self.st_normal.with_context(
            force_report_rendering=True
        )._eldercare_printed_statement()
        self.assertTrue(name.endswith(".pdf"), name)
        self.assertTrue(content.startswith(b"%PDF"))

    def _pay(self, statement, amount):
        invoice = statement.invoice_id
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"amount": amount, "payment_date": date(2025, 4, 5)})
        )
        wizard._create_payments()

    def test_payment_reconciles_invoice_and_statement_shows_it(self):
        statement = self.st_normal
        self.assertEqual(statement.invoice_id.state, "posted")
        self.assertEqual(statement.payment_state, "not_paid")
        self.assertEqual(statement.amount_residual, 165.0)
        action = statement.action_register_payment()
        self.assertEqual(action["res_model"], "account.payment.register")
        self._pay(statement, 100.0)
        self.assertEqual(statement.payment_state, "partial")
        self.assertEqual(statement.amount_residual, 65.0)
        self._pay(statement, 65.0)
        self.assertIn(statement.payment_state, ("paid", "in_payment"))
        self.assertEqual(statement.amount_residual, 0.0)
        self.assertTrue(
            statement.invoice_id.line_ids.filtered(
                lambda ln: ln.account_id.account_type == "asset_receivable"
            ).reconciled
        )

    def test_payment_reminder_once_per_statement(self):
        Partner = self.env["res.partner"]
        Statement = self.env["eldercare.statement"]
        due = self.st_normal.invoice_date_due
        self.assertTrue(due)
        # not yet past due: nobody
        self.assertFalse(Statement._give_payment_reminders(date=due))
        self._pay(self.st_alone, self.st_alone.amount_elder)  # paid: never reminded
        # the due date comes from the invoice (its payment terms)
        day = due + timedelta(days=20)
        self.elder_dibao.eldercare_reminder_channel = "sms"
        dialled = []

        def fake_dial(statements):
            dialled.append(statements)
            return statements

        with patch.object(
            type(Statement), "_eldercare_request_reminder_calls", fake_dial
        ):
            reminded = Statement._give_payment_reminders(date=day)
        # the dialer is asked once, for the call reminders
        self.assertEqual(dialled, [self.st_normal | self.st_dibao])
        self.assertEqual(reminded, self.st_normal | self.st_dibao)
        # no SMS gateway: the SMS preference falls back to a call
        self.assertEqual(self.st_dibao.payment_reminder_channel, "call")
        self.assertEqual(
            Partner._eldercare_payment_reminder_partners(date=day),
            self.elder_normal | self.elder_dibao,
        )
        self.assertFalse(
            Partner._eldercare_payment_reminder_partners(date=day + timedelta(days=1))
        )
        # at most once: the next days remind nobody again
        self.assertFalse(
            Statement._give_payment_reminders(date=day + timedelta(days=1))
        )
        tasks = Partner._eldercare_outbound_call_tasks(date=day)
        self.assertEqual(
            {t["elder_id"] for t in tasks if t["type"] == "payment"},
            {self.elder_normal.id, self.elder_dibao.id},
        )

    def test_payment_reminder_by_sms_and_worker_activity(self):
        worker = self.env["res.users"].create(
            {"name": "社工小王", "login": "ec_rem_worker"}
        )
        self.elder_normal.worker_id = worker
        self.elder_dibao.write(
            {"eldercare_reminder_channel": "sms", "worker_id": worker.id}
        )
        sent = []

        def fake_sms(statement, numbers, body):
            sent.append((statement, numbers, body))
            return numbers

        with (
            freeze_time(self.st_normal.invoice_date_due + timedelta(days=20)),
            patch.object(
                type(self.env["eldercare.statement"]), "_eldercare_send_sms", fake_sms
            ),
        ):
            self.env["res.partner"]._cron_eldercare_care_reminders()
            self.env["res.partner"]._cron_eldercare_care_reminders()
        self.assertEqual(self.st_dibao.payment_reminder_channel, "sms")
        self.assertEqual(len(sent), 1)
        self.assertEqual(sent[0][1], ["+8613800138111"])
        self.assertIn("35.00", sent[0][2])
        activities = self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                (
                    "activity_type_id",
                    "=",
                    self.env.ref(
                        "eldercare_base.mail_activity_type_payment_reminder"
                    ).id,
                ),
            ]
        )
        # the call reminder gives the worker a to-do; the SMS one does not
        self.assertEqual(activities.mapped("res_id"), [self.elder_normal.id])
