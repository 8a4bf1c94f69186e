from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.eldercare_base.tests.common import eldercare_user

from .common import EldercareEmergencyCase


@tagged("post_install", "-at_install")
class TestAlertAccess(EldercareEmergencyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider_user = eldercare_user(
            cls.env, "ec_provider", "Provider Staff Ma", "base.group_portal", "provider"
        )
        cls.alert = cls.env["eldercare.alert"].create(
            {"elder_id": cls.elder.id, "channel": "manual"}
        )
        cls.other_alert = cls.env["eldercare.alert"].create(
            {"elder_id": cls.other_elder.id, "channel": "manual"}
        )

    def test_provider_never_sees_alerts(self):
        Alert = self.env["eldercare.alert"].with_user(self.provider_user)
        self.assertFalse(Alert.has_access("read"))
        with self.assertRaises(AccessError):
            Alert.search([])
        with self.assertRaises(AccessError):
            self.alert.with_user(self.provider_user).read(["name"])
        with self.assertRaises(AccessError):
            Alert.create({"channel": "manual"})

    def test_provider_does_not_see_alert_on_work_order(self):
        self.alert.with_user(self.operator).action_confirm()
        order = self.alert.with_user(self.operator)._dispatch(user=self.worker)
        self.assertNotIn(
            "alert_id",
            order.with_user(self.provider_user).fields_get(),
            "the alert link is hidden from providers",
        )

    def test_operator_sees_and_creates_alerts(self):
        Alert = self.env["eldercare.alert"].with_user(self.operator)
        self.assertEqual(
            Alert.search([("id", "in", (self.alert | self.other_alert).ids)]),
            self.alert | self.other_alert,
        )
        new = Alert.create({"channel": "manual", "caller_number": "13011110001"})
        self.assertEqual(new.elder_id, self.elder)
        # the operator typing a manual alert is the one answering it
        self.assertEqual(new.operator_id, self.operator)
        self.assertTrue(new.answered_within_60)
        with self.assertRaises(AccessError):
            new.unlink()

    def test_worker_sees_only_own_elders(self):
        Alert = self.env["eldercare.alert"].with_user(self.worker)
        found = Alert.search([("id", "in", (self.alert | self.other_alert).ids)])
        self.assertEqual(found, self.alert)
        with self.assertRaises(AccessError):
            self.other_alert.with_user(self.worker).read(["name"])
        with self.assertRaises(AccessError):
            Alert.create({"channel": "manual"})

    def test_alert_types_readable_configurable_by_supervisor(self):
        self.assertTrue(self.type_fall.with_user(self.worker).name)
        with self.assertRaises(AccessError):
            self.type_fall.with_user(self.operator).feedback_minutes = 3
        self.type_fall.with_user(self.supervisor).feedback_minutes = 4
        self.assertEqual(self.type_fall.feedback_minutes, 4)
