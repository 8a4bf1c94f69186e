from unittest.mock import patch

from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.eldercare_emergency.tests.common import EldercareEmergencyCase
from odoo.addons.eldercare_sms.tests.common import KannelMixin, configure_kannel


@tagged("post_install", "-at_install")
class TestAlertSms(KannelMixin, EldercareEmergencyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        configure_kannel(cls.env)
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(
            ["eldercare_sms_emergency"], ["zh_CN"], overwrite=True
        )
        cls.elder.write(
            {
                "lang": "zh_CN",
                "relative_ids": [
                    Command.create(
                        {
                            "name": "Li Hua",
                            "relation": "daughter",
                            "phone": "13600136000",
                            "lang": "en_US",
                            "sequence": 3,
                            "is_emergency_contact": True,
                        }
                    )
                ],
            }
        )
        cls.son = cls.elder.relative_ids.filtered(lambda r: r.name == "Li Ming")
        cls.daughter = cls.elder.relative_ids.filtered(lambda r: r.name == "Li Hua")
        cls.neighbour = cls.elder.relative_ids.filtered(
            lambda r: r.name == "Neighbour Wu"
        )

    def sms_of(self, alert, template):
        return self.env["sms.sms"].search(
            [
                ("eldercare_res_model", "=", "eldercare.alert"),
                ("eldercare_res_id", "=", alert.id),
                ("eldercare_template_id", "=", self.env.ref(template).id),
            ]
        )

    def test_raised_confirmed_resolved_reach_the_emergency_contacts(self):
        alert = self._new_alert()
        raised = self.sms_of(alert, "eldercare_sms_emergency.sms_template_alert_raised")
        self.assertEqual(raised.eldercare_relative_id, self.son | self.daughter)
        self.assertTrue(all(raised.mapped("eldercare_emergency")))
        by_relative = {s.eldercare_relative_id: s.body for s in raised}
        # the son reads the elder's language (Chinese), the daughter English
        self.assertIn("发出紧急报警", by_relative[self.son])
        self.assertIn(alert.name, by_relative[self.son])
        self.assertIn(
            "Zhang Guiying raised an emergency alert", by_relative[self.daughter]
        )

        alert = alert.with_user(self.operator)
        alert.action_take()
        alert.action_confirm()
        confirmed = self.sms_of(
            alert, "eldercare_sms_emergency.sms_template_alert_confirmed"
        )
        self.assertEqual(confirmed.eldercare_relative_id, self.son | self.daughter)

        alert.sudo().result = "Taken to hospital, son on site"
        alert.action_resolve()
        resolved = self.sms_of(
            alert, "eldercare_sms_emergency.sms_template_alert_resolved"
        )
        self.assertEqual(len(resolved), 2)
        for sms in resolved:
            self.assertIn("Taken to hospital, son on site", sms.body)

    def test_notify_reports_sms_per_relative_without_sending_twice(self):
        alert = self._new_alert().with_user(self.operator)
        alert.action_take()
        alert.action_confirm()
        alert.action_notify()
        confirmed = self.sms_of(
            alert, "eldercare_sms_emergency.sms_template_alert_confirmed"
        )
        # the neighbour (not an emergency contact) is texted when notified
        self.assertEqual(
            confirmed.eldercare_relative_id, self.son | self.daughter | self.neighbour
        )
        self.assertEqual(len(confirmed), 3, "once per relative")
        body = alert.message_ids[0].body
        self.assertIn("SMS sent", body)
        self.assertNotIn("No SMS sent", body)

    def test_emergency_sms_ignore_opt_out_and_quiet_hours(self):
        self.son.sms_opt_out = True
        self.env["ir.config_parameter"].sudo().set_param(
            "eldercare_sms.quiet_hours", "00:00-23:59"
        )
        alert = self._new_alert()
        raised = self.sms_of(alert, "eldercare_sms_emergency.sms_template_alert_raised")
        self.assertIn(self.son, raised.eldercare_relative_id)
        self.assertFalse(any(raised.mapped("eldercare_not_before")))

    def test_unanswered_call_fallback(self):
        alert = self._new_alert()
        sms = alert._eldercare_sms_call_unanswered(self.daughter)
        self.assertEqual(sms.number, "13600136000")
        self.assertIn("Reply 1 if you will go", sms.body)
        self.assertFalse(alert._eldercare_sms_call_unanswered(self.daughter), "once")
        calls = self.patch_kannel()
        sms.send()
        self.assertEqual(calls[0]["to"], "+8613600136000")
        self.assertEqual(sms.state, "pending")

    def test_no_gateway_no_sms_and_chatter_says_so(self):
        self.env["ir.config_parameter"].sudo().set_param("eldercare_sms.kannel_url", "")
        alert = self._new_alert().with_user(self.operator)
        self.assertFalse(
            self.sms_of(alert, "eldercare_sms_emergency.sms_template_alert_raised")
        )
        alert.action_take()
        alert.action_confirm()
        alert.action_notify()
        self.assertIn("No SMS sent", alert.message_ids[0].body)

    def test_sms_failure_never_blocks_the_alert(self):
        def broken(*_args, **_kwargs):
            raise ValueError("template broken")

        template_class = type(self.env["sms.template"])
        with (
            patch.object(template_class, "_eldercare_send_many", broken),
            mute_logger("odoo.addons.eldercare_sms_emergency.models.eldercare_alert"),
        ):
            alert = self._new_alert()
        self.assertTrue(alert.exists(), "the alert is raised")
        self.assertIn("could not be queued", alert.message_ids[0].body)
        self.assertIn("template broken", alert.message_ids[0].body)

    def test_operator_sees_the_sms_of_an_alert(self):
        alert = self._new_alert().with_user(self.operator)
        self.assertEqual(alert.eldercare_sms_count, 2)
        action = alert.action_open_sms()
        sms = self.env["sms.sms"].with_user(self.operator).search(action["domain"])
        self.assertEqual(len(sms), 2)
        self.assertEqual(sms.mapped("state"), ["outgoing", "outgoing"])
