from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.eldercare_base.tests.common import EldercareCommon

from .common import KannelCase, KannelMixin, configure_kannel


@tagged("post_install", "-at_install")
class TestTemplates(KannelCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.module.module"]._load_module_terms(
            ["eldercare_sms"], ["zh_CN"], overwrite=True
        )
        cls.template = cls.env.ref("eldercare_sms.sms_template_work_order_provider")
        cls.order = cls.env["eldercare.work.order"].create(
            {
                "elder_id": cls.elder.id,
                "product_id": cls.env.ref(
                    "eldercare_base.product_service_plumbing"
                ).product_variant_id.id,
                "date_scheduled": datetime(2026, 12, 2, 2, 0),
            }
        )

    def sms_of(self, record):
        return self.env["sms.sms"].search(
            [
                ("eldercare_res_model", "=", record._name),
                ("eldercare_res_id", "=", record.id),
            ]
        )

    @freeze_time("2026-12-01 04:00:00")  # 12:00 in Shanghai
    def test_each_recipient_in_own_language(self):
        sent = self.template._eldercare_send(self.order, self.son | self.daughter)
        by_number = {s.number: s.body for s in sent}
        self.assertEqual(set(by_number), {"13911112222", "13922223333"})
        self.assertIn("新工单", by_number["13911112222"], "the son reads Chinese")
        self.assertIn(self.order.name, by_number["13911112222"])
        self.assertIn("2026-12-02 10:00", by_number["13911112222"], "Shanghai time")
        self.assertIn("New work order", by_number["13922223333"])
        self.assertEqual(sent.mapped("eldercare_relative_id"), self.son | self.daughter)
        self.assertFalse(any(sent.mapped("eldercare_not_before")))

    @freeze_time("2026-12-01 04:00:00")
    def test_same_message_once_per_number_and_document(self):
        first = self.template._eldercare_send(self.order, self.son)
        again = self.template._eldercare_send(self.order, self.son | self.daughter)
        self.assertEqual(len(first), 1)
        self.assertEqual(again.mapped("number"), ["13922223333"])

    @freeze_time("2026-12-01 04:00:00")
    def test_opt_out_except_emergencies(self):
        self.son.sms_opt_out = True
        self.assertFalse(self.template._eldercare_send(self.order, self.son))
        sent = self.template._eldercare_send(self.order, self.son, emergency=True)
        self.assertEqual(sent.number, "13911112222")

    @freeze_time("2026-12-01 14:30:00")  # 22:30 in Shanghai: quiet hours
    def test_quiet_hours_hold_until_morning_not_emergencies(self):
        held = self.template._eldercare_send(self.order, self.son)
        self.assertEqual(held.eldercare_not_before, datetime(2026, 12, 2, 0, 0))
        calls = self.patch_kannel()
        held.send()
        self.assertFalse(calls, "nothing is sent during the quiet hours")
        self.assertEqual(held.state, "outgoing")
        urgent = self.template._eldercare_send(
            self.order, self.daughter, emergency=True
        )
        self.assertFalse(urgent.eldercare_not_before)
        urgent.send()
        self.assertEqual(len(calls), 1, "an emergency goes out at night")
        with freeze_time("2026-12-02 00:01:00"):
            self.env["sms.sms"]._process_queue()
        self.assertEqual(len(calls), 2)
        self.assertEqual(held.state, "pending")

    def test_quiet_hours_window(self):
        until = self.env["sms.template"]._eldercare_quiet_until
        self.assertEqual(
            until(datetime(2026, 12, 1, 23, 0)), datetime(2026, 12, 2, 0, 0)
        )
        self.assertFalse(until(datetime(2026, 12, 1, 0, 0)), "08:00 local: not quiet")
        self.env["ir.config_parameter"].sudo().set_param(
            "eldercare_sms.quiet_hours", ""
        )
        self.assertFalse(until(datetime(2026, 12, 1, 14, 30)))


@tagged("post_install", "-at_install")
class TestProviderSms(KannelMixin, EldercareCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        configure_kannel(cls.env)
        cls.provider_2.write({"mobile": "13933334444", "lang": "en_US"})

    @freeze_time("2026-12-01 04:00:00")
    def test_provider_texted_on_new_work_order(self):
        order = self.env["eldercare.work.order"].create(
            {
                "elder_id": self.elder_a.id,
                "product_id": self.plumbing.id,
                "provider_id": self.provider_2.id,
            }
        )
        calls = self.patch_kannel()
        order.action_assign()
        sms = self.env["sms.sms"].search(
            [
                ("eldercare_res_model", "=", order._name),
                ("eldercare_res_id", "=", order.id),
            ]
        )
        self.assertEqual(sms.number, "13933334444")
        self.assertEqual(sms.partner_id, self.provider_2)
        self.assertIn("New work order " + order.name, sms.body)
        self.assertIn("张秀英", sms.body)
        sms.send()
        self.assertEqual(calls[0]["to"], "+8613933334444")
