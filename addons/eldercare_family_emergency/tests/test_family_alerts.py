import re

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.eldercare_family.tests.common import FamilyCommon


@tagged("post_install", "-at_install")
class TestFamilyAlerts(HttpCase, FamilyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Alert = cls.env["eldercare.alert"]
        cls.alert_open = Alert.create(
            {"elder_id": cls.elder_a.id, "description": "老人胸口疼, 血压高"}
        )
        cls.alert_done = Alert.create(
            {
                "elder_id": cls.elder_a.id,
                "state": "resolved",
                "result": "社区医生上门, 已无大碍",
            }
        )
        cls.alert_other = Alert.create({"elder_id": cls.elder_b.id})

    def _page(self):
        self.authenticate(self.relative_login, "fam_relative_pw")
        return self.url_open(f"/my/family/{self.elder_a.id}").text

    def test_alerts_with_outcome_without_health_detail(self):
        page = self._page()
        self.assertIn(self.alert_open.name, page)
        self.assertIn(self.alert_done.name, page)
        self.assertIn("社区医生上门, 已无大碍", page)
        self.assertNotIn(self.alert_other.name, page)
        self.assertNotIn("胸口疼", page)

    def test_health_detail_when_the_center_allows_it(self):
        self.elder_a.family_show_health = True
        self.assertIn("胸口疼", self._page())

    def test_accept_callout_calls_the_hook(self):
        page = self._page()
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = self.url_open(
            f"/my/family/alert/{self.alert_open.id}/accept", data={"csrf_token": csrf}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("on the way", response.text)
        note = self.alert_open.message_ids.filtered(
            lambda m: "accepted the call-out" in (m.body or "")
        )
        self.assertIn("王建国", note.body)
        # a closed alert, and another elder's alert, are refused
        response = self.url_open(
            f"/my/family/alert/{self.alert_done.id}/accept", data={"csrf_token": csrf}
        )
        self.assertIn("already closed", response.text)
        with mute_logger("odoo.http"):
            response = self.url_open(
                f"/my/family/alert/{self.alert_other.id}/accept",
                data={"csrf_token": csrf},
            )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(
            self.alert_other.message_ids.filtered(
                lambda m: "accepted the call-out" in (m.body or "")
            )
        )
