from odoo.tests import new_test_user, tagged

from .common import ELDER_NUMBER, EMERGENCY_DID, EldercarePbxCase


@tagged("post_install", "-at_install")
class TestRecipientLanguage(EldercarePbxCase):
    """What the system writes by itself (activities, chatter, popups) is in
    the language of whoever reads it, not the bridge's or the cron's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"].search(
            [("name", "in", ("eldercare_asterisk", "eldercare_emergency"))]
        )._update_translations(["zh_CN"])
        cls.zh_supervisor = new_test_user(
            cls.env,
            login="ec_lang_sup_zh",
            groups="base.group_user,eldercare_base.group_eldercare_supervisor",
        )
        cls.zh_supervisor.lang = "zh_CN"
        cls.en_supervisor = new_test_user(
            cls.env,
            login="ec_lang_sup_en",
            groups="base.group_user,eldercare_base.group_eldercare_supervisor",
        )
        cls.en_supervisor.lang = "en_US"
        cls.env.company.partner_id.lang = "zh_CN"

    def _alert(self, linkedid):
        self.route(linkedid, ELDER_NUMBER, EMERGENCY_DID)
        return self.call_of(linkedid).alert_id

    def test_cascade_exhausted_activity_in_each_supervisors_language(self):
        alert = self._alert("1764100001.1")
        # written by the bridge user (English), read by the supervisors
        alert.with_user(self.bridge_user).sudo()._eldercare_cascade_exhausted()
        todo = self.env.ref("mail.mail_activity_data_todo")
        activities = alert.activity_ids.filtered(lambda a: a.activity_type_id == todo)
        zh = activities.filtered(lambda a: a.user_id == self.zh_supervisor)
        en = activities.filtered(lambda a: a.user_id == self.en_supervisor)
        self.assertEqual(zh.user_id.lang, "zh_CN")
        self.assertEqual(zh.summary, f"{alert.name} 无人接受")
        self.assertEqual(en.summary, f"No responder accepted {alert.name}")
        self.assertNotIn("Nobody accepted", str(zh.note))
        self.assertIn("Nobody accepted", str(en.note))
        # the chatter note is in the center's language (zh_CN here)
        bodies = [str(m.body) for m in alert.message_ids]
        self.assertTrue(
            [b for b in bodies if alert.name in b and "无人接受" in b], bodies
        )
        self.assertFalse([b for b in bodies if "Nobody accepted" in b], bodies)

    def test_alert_popup_in_the_operators_language(self):
        self.operator.lang = "zh_CN"
        self.operator2.write({"lang": "en_US", "eldercare_on_duty": True})
        alert = self._alert("1764100002.1")
        zh = self.bus_messages(self.operator, "eldercare_alert_popup")
        en = self.bus_messages(self.operator2, "eldercare_alert_popup")
        self.assertTrue(zh and en)
        zh_alert = [p["alert"] for p in zh if p["alert"]["id"] == alert.id][-1]
        en_alert = [p["alert"] for p in en if p["alert"]["id"] == alert.id][-1]
        self.assertEqual(en_alert["state_label"], "New")
        self.assertNotEqual(zh_alert["state_label"], "New")
        self.assertEqual(en_alert["channel_label"], "Emergency Line")
        self.assertNotEqual(zh_alert["channel_label"], en_alert["channel_label"])
