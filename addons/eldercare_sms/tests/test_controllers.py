from unittest.mock import patch

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import KannelCase


@tagged("post_install", "-at_install")
class TestKannelCallbacks(HttpCase, KannelCase):
    def test_delivery_report_marks_delivered(self):
        sms = self.queue()
        self.patch_kannel()
        sms.send()
        url = f"/eldercare_sms/dlr/tok-123?uuid={sms.uuid}&status=1&smsc_id=abc"
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        sms.invalidate_recordset()
        self.assertEqual(sms.state, "sent")

    def test_delivery_report_failure_type(self):
        sms = self.queue()
        self.patch_kannel()
        sms.send()
        self.url_open(f"/eldercare_sms/dlr/tok-123?uuid={sms.uuid}&status=2")
        sms.invalidate_recordset()
        self.assertEqual((sms.state, sms.failure_type), ("error", "sms_not_delivered"))

    def test_delivery_report_needs_the_secret(self):
        sms = self.queue()
        self.patch_kannel()
        sms.send()
        response = self.url_open(f"/eldercare_sms/dlr/wrong?uuid={sms.uuid}&status=1")
        self.assertEqual(response.status_code, 403)
        sms.invalidate_recordset()
        self.assertEqual(sms.state, "pending")
        bad = self.url_open("/eldercare_sms/dlr/tok-123?uuid=x&status=1")
        self.assertEqual(bad.status_code, 400)

    def test_reply_recorded_on_the_elder(self):
        response = self.url_open(
            "/eldercare_sms/inbound/tok-123?from=%2B8613911112222&to=95000&text=1"
        )
        self.assertEqual(response.status_code, 200)
        inbound = self.env["eldercare.sms.inbound"].search(
            [("number", "=", "+8613911112222")]
        )
        self.assertEqual(inbound.relative_id, self.son)
        self.assertEqual(inbound.partner_id, self.elder)
        self.assertEqual(inbound.text, "1")
        self.assertFalse(inbound.handled, "no process took the reply")
        self.assertIn("王建国", self.elder.message_ids[0].body)
        denied = self.url_open("/eldercare_sms/inbound/nope?from=13911112222&text=1")
        self.assertEqual(denied.status_code, 403)

    def test_reply_kept_when_a_process_fails_on_it(self):
        def broken(*_args, **_kwargs):
            raise ValueError("cascade broken")

        inbound_class = type(self.env["eldercare.sms.inbound"])
        with (
            patch.object(inbound_class, "_eldercare_sms_reply", broken),
            mute_logger("odoo.addons.eldercare_sms.models.eldercare_sms_inbound"),
        ):
            response = self.url_open(
                "/eldercare_sms/inbound/tok-123?from=13922223333&to=95000&text=2"
            )
        self.assertEqual(response.status_code, 200)
        inbound = self.env["eldercare.sms.inbound"].search(
            [("relative_id", "=", self.daughter.id)]
        )
        self.assertEqual(inbound.text, "2")
        self.assertFalse(inbound.handled)

    def test_reply_taken_by_a_process(self):
        def take(inbound, partner, text):
            return text == "1" and partner == self.elder

        inbound_class = type(self.env["eldercare.sms.inbound"])
        with patch.object(inbound_class, "_eldercare_sms_reply", take):
            self.url_open("/eldercare_sms/inbound/tok-123?from=13922223333&text=1")
        inbound = self.env["eldercare.sms.inbound"].search(
            [("relative_id", "=", self.daughter.id)]
        )
        self.assertTrue(inbound.handled)
