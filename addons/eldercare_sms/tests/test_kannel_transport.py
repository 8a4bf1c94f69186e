import requests

from odoo.tests import tagged

from .common import KANNEL_URL, FakeResponse, KannelCase


@tagged("post_install", "-at_install")
class TestKannelTransport(KannelCase):
    def test_send_goes_to_kannel_once(self):
        sms = self.queue(body="张秀英报警")
        calls = self.patch_kannel()
        sms.send()
        self.assertEqual(len(calls), 1)
        call = calls[0]
        self.assertEqual(call["url"], KANNEL_URL)
        self.assertEqual(call["to"], "+8613911112222")
        self.assertEqual(call["text"], "张秀英报警")
        self.assertEqual(call["coding"], "2", "Chinese text goes as UCS-2")
        self.assertEqual(call["from"], "95000")
        self.assertEqual(
            call["dlr-url"],
            f"http://127.0.0.1:8069/eldercare_sms/dlr/tok-123?uuid={sms.uuid}"
            "&status=%d&smsc_id=%F",
        )
        self.assertEqual(sms.state, "pending", "accepted by the gateway = Sent")
        self.assertTrue(sms.eldercare_kannel_accepted_at)
        self.assertFalse(sms.to_delete, "kept until its delivery report")
        # the queue runs again (cron, a second send): nothing goes twice
        sms.send()
        self.env["sms.sms"]._process_queue()
        self.assertEqual(len(calls), 1)

    def test_ascii_text_is_not_ucs2(self):
        calls = self.patch_kannel()
        self.queue(body="Alert raised").send()
        self.assertEqual(calls[0]["coding"], "0")

    def test_kannel_down_keeps_queue_then_sends_once(self):
        first = self.queue(number="13911112222")
        second = self.queue(number="13922223333")
        calls = self.patch_kannel(error=requests.ConnectionError("refused"))
        self.env["sms.sms"]._process_queue()
        self.assertEqual(len(calls), 1, "the batch stops at the first refusal")
        self.assertEqual((first | second).mapped("state"), ["outgoing", "outgoing"])
        self.assertFalse(first.failure_type)
        # Kannel is back: the next run of the queue sends both, once
        calls = self.patch_kannel()
        self.env["sms.sms"]._process_queue()
        self.assertEqual(
            sorted(c["to"] for c in calls), ["+8613911112222", "+8613922223333"]
        )
        self.assertEqual((first | second).mapped("state"), ["pending", "pending"])
        self.env["sms.sms"]._process_queue()
        self.assertEqual(len(calls), 2)

    def test_kannel_busy_503_stays_queued(self):
        sms = self.queue()
        self.patch_kannel([FakeResponse(503, "Sending failed.")])
        sms.send()
        self.assertEqual(sms.state, "outgoing")
        self.assertFalse(sms.eldercare_kannel_accepted_at)

    def test_kannel_refusals_are_errors_with_a_type(self):
        denied = self.queue()
        self.patch_kannel([FakeResponse(403, "Authorization failed for sendsms")])
        denied.send()
        self.assertEqual((denied.state, denied.failure_type), ("error", "sms_acc"))
        self.assertEqual(
            denied.eldercare_kannel_reply, "Authorization failed for sendsms"
        )

    def test_bad_numbers_never_reach_kannel(self):
        missing = self.queue(number="")
        wrong = self.queue(number="12ab")
        calls = self.patch_kannel()
        (missing | wrong).send()
        self.assertFalse(calls)
        self.assertEqual(missing.failure_type, "sms_number_missing")
        self.assertEqual(wrong.failure_type, "sms_number_format")
        self.assertEqual((missing | wrong).mapped("state"), ["error", "error"])

    def test_no_gateway_configured_keeps_queue_and_never_calls_iap(self):
        self.env["ir.config_parameter"].sudo().set_param("eldercare_sms.kannel_url", "")
        sms = self.queue()
        calls = self.patch_kannel()
        sms.send()
        self.assertFalse(calls)
        self.assertEqual(sms.state, "outgoing")
        self.assertFalse(sms.failure_type)

    def test_retry_after_failed_delivery_sends_again(self):
        sms = self.queue()
        calls = self.patch_kannel()
        sms.send()
        sms._eldercare_apply_dlr(2)
        self.assertEqual((sms.state, sms.failure_type), ("error", "sms_not_delivered"))
        sms.action_set_outgoing()
        sms.send()
        self.assertEqual(len(calls), 2, "a retry the coordinator asked for is sent")
        self.assertEqual(sms.state, "pending")

    def test_delivery_reports_never_go_backwards(self):
        sms = self.queue()
        self.patch_kannel()
        sms.send()
        sms._eldercare_apply_dlr(1)
        self.assertEqual(sms.state, "sent")
        self.assertTrue(sms.eldercare_delivered_at)
        sms._eldercare_apply_dlr(8)
        sms._eldercare_apply_dlr(16)
        self.assertEqual(sms.state, "sent", "a delivered SMS stays delivered")
        rejected = self.queue()
        rejected.send()
        rejected._eldercare_apply_dlr(16)
        self.assertEqual(
            (rejected.state, rejected.failure_type), ("error", "sms_rejected")
        )

    def test_settings_write_the_gateway_parameters(self):
        url = "http://127.0.0.1:13013/cgi-bin/sendsms"
        settings = self.env["res.config.settings"].create(
            {
                "eldercare_sms_kannel_url": url,
                "eldercare_sms_quiet_hours": "22:00-07:00",
            }
        )
        settings.execute()
        self.assertEqual(self.env["sms.sms"]._eldercare_kannel_config()["url"], url)
        start, end, _tz = self.env["sms.template"]._eldercare_quiet_hours()
        self.assertEqual((start.hour, end.hour), (22, 7))
