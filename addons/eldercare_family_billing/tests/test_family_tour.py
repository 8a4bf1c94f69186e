from odoo.tests import HttpCase, tagged

from odoo.addons.eldercare_family.tests.common import FamilyCommon


@tagged("post_install", "-at_install", "eldercare_tour")
class TestFamilyPortalTour(HttpCase, FamilyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Alert = cls.env["eldercare.alert"]
        Alert.create({"elder_id": cls.elder_a.id, "description": "老人胸口疼"})
        Alert.create(
            {
                "elder_id": cls.elder_a.id,
                "state": "resolved",
                "result": "社区医生上门, 已无大碍",
            }
        )
        Alert.create({"elder_id": cls.elder_b.id, "result": "李德明已送医"})
        statement = cls.env["eldercare.statement"].create(
            {"partner_id": cls.elder_a.id, "period": "2026-11"}
        )
        statement.action_confirm()

    def test_family_portal_tour(self):
        self.start_tour("/my", "eldercare_family_portal", login=self.relative_login)
