from datetime import timedelta

from odoo.tests import BaseCase, new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.eldercare_billing.tests.common import EldercareBillingDataMixin

from ..models.eldercare_statement_reminder import amount_prompts


def said(amount):
    """The prompts of ``amount`` as the Mandarin they say."""
    words = {
        "eldercare/digit-0": "零",
        "eldercare/reminder-num-1": "一",
        "eldercare/reminder-num-10": "十",
        "eldercare/reminder-num-100": "百",
        "eldercare/reminder-num-1000": "千",
        "eldercare/reminder-num-10000": "万",
        "eldercare/point": "点",
        "eldercare/yuan": "元",
    }
    words.update(
        {f"eldercare/digit-{d}": "  二三四五六七八九"[d] for d in range(2, 10)}
    )
    return "".join(words[p] for p in amount_prompts(amount))


@tagged("eldercare_asterisk_billing")
class TestAmountPrompts(BaseCase):
    def test_amounts_are_said_as_numbers(self):
        self.assertEqual(said(0), "零元")
        self.assertEqual(said(12), "十二元")
        self.assertEqual(said(173.67), "一百七十三点六七元")
        self.assertEqual(said(1005), "一千零五元")
        self.assertEqual(said(1500.5), "一千五百点五元")
        self.assertEqual(said(110.05), "一百一十点零五元")
        self.assertEqual(said(20010), "二万零一十元")
        self.assertEqual(said(13986), "一万三千九百八十六元")


@tagged("post_install", "-at_install", "eldercare_asterisk_billing")
class TestPaymentReminderCall(EldercareBillingDataMixin, AccountTestInvoicingCommon):
    """Unpaid past due → billing asks for a call → the one dialer calls the
    elder and reads the amount; once per statement."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True), su=True)
        cls.env["ir.config_parameter"].set_param(
            "eldercare_care_calls.quiet_hours", "none"
        )
        cls._setup_billing_data()
        cls._setup_month_orders()
        cls.worker = new_test_user(
            cls.env,
            login="ec_payrem_worker",
            name="社工小李",
            groups="base.group_user,eldercare_base.group_eldercare_operator",
        )
        cls.elder_normal.write({"mobile": "13800138333", "worker_id": cls.worker.id})
        run = cls.env["eldercare.billing.run"]._get_or_create(
            cls.period, cls.env.company
        )
        run._run()
        cls.statement = cls.env["eldercare.statement"].search(
            [("partner_id", "=", cls.elder_normal.id)]
        )
        cls.day = cls.statement.invoice_date_due + timedelta(days=5)
        cls.bridge = cls.env["eldercare.pbx.bridge"].with_user(
            cls.env.ref("eldercare_asterisk.user_eldercare_bridge")
        )

    def dial_of_statement(self):
        self.env["eldercare.care.call"]._cron_place_due_calls()
        dials = self.bridge.dial_sync([], [], True)["dial"]
        ids = self.statement.payment_call_ids.request_ids.ids
        return [d for d in dials if d["id"] in ids]

    def answer(self, dial, digit=None, result="answered"):
        reports = [{"id": dial["id"], "event": "answered"}] if digit else []
        reports.append(
            {"id": dial["id"], "event": "ended", "result": result, "digit": digit}
        )
        self.bridge.dial_sync(reports, [], True)

    def test_reminder_call_reads_the_amount_once(self):
        Statement = self.env["eldercare.statement"]
        self.assertIn(self.statement.payment_state, ("not_paid", "partial"))
        due = self.statement.amount_residual
        self.assertTrue(due)
        reminded = Statement._give_payment_reminders(date=self.day)
        self.assertIn(self.statement, reminded)
        self.assertEqual(self.statement.payment_reminder_channel, "call")
        call = self.statement.payment_call_ids
        self.assertEqual(call.kind, "payment")
        self.assertEqual(call.number, "13800138333")
        dials = self.dial_of_statement()
        self.assertEqual(len(dials), 1)
        dial = dials[0]
        self.assertEqual(dial["exten"], "payment")
        self.assertEqual(dial["context"], "eldercare-dialer")
        expected = "&".join(amount_prompts(due))
        self.assertIn(expected, dial["prompt"])
        self.assertTrue(dial["prompt"].startswith("eldercare/reminder-payment&"))
        self.answer(dial, digit="1")
        self.assertEqual(call.state, "done")
        todo = self.statement.activity_ids.filtered(
            lambda a: a.activity_type_id
            == self.env.ref(
                "eldercare_care_calls.mail_activity_type_care_call_followup"
            )
        )
        self.assertEqual(todo.user_id, self.worker)
        self.assertIn("answered", self.statement.message_ids[0].body)
        # at most once per statement: later days call nobody again
        Statement._give_payment_reminders(date=self.day + timedelta(days=1))
        self.statement._eldercare_request_reminder_calls()
        self.assertEqual(len(self.statement.payment_call_ids), 1)
        self.assertFalse(self.dial_of_statement())

    def test_unreached_reminder_is_noted(self):
        self.env["ir.config_parameter"].set_param(
            "eldercare_care_calls.max_attempts", "1"
        )
        self.env["eldercare.statement"]._give_payment_reminders(date=self.day)
        self.answer(self.dial_of_statement()[0], result="no_answer")
        call = self.statement.payment_call_ids
        self.assertEqual(call.state, "failed")
        self.assertIn("Not reached after 1", self.statement.message_ids[0].body)

    def test_paid_before_the_call_is_not_called(self):
        self.env["eldercare.statement"]._give_payment_reminders(date=self.day)
        call = self.statement.payment_call_ids
        invoice = self.statement.invoice_id
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": invoice.amount_residual})._create_payments()
        self.assertFalse(self.dial_of_statement())
        self.assertEqual(call.state, "cancelled")

    def test_no_number_is_not_reported_as_queued(self):
        self.elder_normal.write({"mobile": False, "phone": False})
        self.elder_normal.elder_phone_ids.unlink()
        queued = self.statement._eldercare_request_reminder_calls()
        self.assertFalse(queued)
        self.assertFalse(self.statement.payment_call_ids.number)
