from odoo.tests import HttpCase, tagged

from .common import HouseholdTestMixin


@tagged("post_install", "-at_install", "eldercare_tour")
class TestProviderPortalTour(HouseholdTestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_household_world()
        request = cls.env["eldercare.service.request"].create(
            {
                "partner_id": cls.elder.id,
                "product_id": cls.service.id,
                "user_id": cls.operator.id,
            }
        )
        cls.order = request._dispatch_to_provider(cls.provider_a)
        cls.request = request

    def test_provider_portal_tour(self):
        self.start_tour(
            "/my",
            "eldercare_household_provider_portal",
            login="provider_a_test",
        )
        self.env.invalidate_all()
        self.assertEqual(self.order.state, "done")
        self.assertEqual(self.order.quantity, 2.0)
        self.assertEqual(self.request.state, "done")
        self.assertTrue(
            self.order.message_ids.filtered(lambda m: "已更换锁芯" in m.body)
        )
