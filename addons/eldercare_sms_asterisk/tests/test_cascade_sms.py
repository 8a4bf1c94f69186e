from odoo.tests import tagged

from odoo.addons.eldercare_asterisk.tests import test_cascade
from odoo.addons.eldercare_sms.tests.common import KannelMixin, configure_kannel


@tagged("post_install", "-at_install")
class TestCascadeSms(KannelMixin, test_cascade.TestCascade):
    """The cascade with the real SMS glue (Kannel faked at its HTTP seam)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        configure_kannel(cls.env)

    def test_missed_call_texted_then_reply_1_accepts(self):
        alert = self.raise_alert()
        alert._eldercare_cascade_start()
        dial = self.sync()["dial"]
        self.answer(dial[0], result="no_answer")
        attempt = alert.cascade_attempt_ids.sorted("id")[0]
        self.assertTrue(attempt.sms_sent)
        daughter = attempt.relative_id
        sms = self.env["sms.sms"].search(
            [
                ("eldercare_res_id", "=", alert.id),
                ("eldercare_relative_id", "=", daughter.id),
            ]
        )
        unanswered = sms.filtered(
            lambda s: s.eldercare_template_id
            == self.env.ref(
                "eldercare_sms_emergency.sms_template_alert_call_unanswered"
            )
        )
        self.assertEqual(len(unanswered), 1, "the 'reply 1' SMS, not the confirmed one")
        inbound = self.env["eldercare.sms.inbound"]._eldercare_receive(
            daughter.phone, " 1 "
        )
        self.assertTrue(inbound.handled)
        self.assertEqual(alert.cascade_state, "accepted")
        self.assertEqual(alert.cascade_accepted_id.via, "sms")
        self.assertEqual(alert.cascade_accepted_id.relative_id, daughter)

    def test_reply_2_is_noted_and_other_texts_ignored(self):
        alert = self.raise_alert()
        alert._eldercare_cascade_start()
        son = self.elder.relative_ids.filtered(lambda r: r.name == "次子")
        no = self.env["eldercare.sms.inbound"]._eldercare_receive(son.phone, "2")
        self.assertTrue(no.handled)
        self.assertEqual(alert.cascade_state, "running")
        self.assertIn("cannot go", alert.message_ids[0].body)
        chat = self.env["eldercare.sms.inbound"]._eldercare_receive(son.phone, "ok?")
        self.assertFalse(chat.handled)

    def test_reply_after_the_cascade_changes_nothing(self):
        alert = self.raise_alert()
        son = self.elder.relative_ids.filtered(lambda r: r.name == "次子")
        inbound = self.env["eldercare.sms.inbound"]._eldercare_receive(son.phone, "1")
        self.assertFalse(inbound.handled, "no cascade running: kept for a person")
        self.assertFalse(alert.cascade_state)
