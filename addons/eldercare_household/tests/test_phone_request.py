from odoo.tests import TransactionCase, tagged

from odoo.addons.eldercare_base.tests.common import eldercare_user

from .common import HouseholdTestMixin


@tagged("post_install", "-at_install")
class TestPhoneRequest(HouseholdTestMixin, TransactionCase):
    """Requests made by phone land with a coordinator."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_household_world()
        cls.Request = cls.env["eldercare.service.request"]
        cls.operator_2 = eldercare_user(
            cls.env, "hh_operator_2", "接线员小王", "operator"
        )
        # the two of them take the phone requests of the company
        cls.env.company.eldercare_coordinator_ids = cls.operator | cls.operator_2
        cls.callback = cls.env.ref("eldercare_household.mail_activity_phone_request")

    def test_ivr_request_lands_with_least_busy_coordinator(self):
        # the first operator already has an open request
        self._new_request()
        requests = self.Request._eldercare_create_from_phone(
            [
                {
                    "caller_number": "13912345678",
                    "elder_id": self.elder.id,
                    "product_id": self.service.id,
                    "linkedid": "1800.1",
                },
                {"caller_number": "13700000001", "key": "3", "linkedid": "1800.2"},
                # the same call again (bridge retry): the same request
                {"caller_number": "13912345678", "linkedid": "1800.1"},
            ]
        )
        self.assertEqual(len(requests), 2)
        ivr, keyed = requests
        self.assertEqual(ivr.channel, "ivr")
        self.assertEqual(ivr.partner_id, self.elder)
        self.assertEqual(ivr.product_id, self.service)
        self.assertEqual(keyed.channel, "phone_key")
        self.assertFalse(keyed.partner_id)
        # least busy first, then spread: operator 2 (0 open), then a tie at 1
        # goes to the lowest id
        self.assertEqual(ivr.user_id, self.operator_2)
        self.assertEqual(keyed.user_id, self.operator)
        for request in requests:
            activity = request.activity_ids.filtered(
                lambda a: a.activity_type_id == self.callback
            )
            self.assertEqual(activity.user_id, request.user_id)
        self.assertIn("not on file", keyed.activity_ids.note)
        counters = self.Request.with_user(self.operator_2)._eldercare_phone_counters()
        self.assertEqual(counters["phone_mine"], 1)
        self.assertGreaterEqual(counters["phone_new"], 2)
        again = self.Request._eldercare_create_from_phone([{"linkedid": "1800.1"}])
        self.assertEqual(again, ivr)

    def test_phone_request_gets_satisfaction_follow_up(self):
        request = self.Request._create_from_call(
            {
                "caller_number": "13912345678",
                "key": "9",
                "linkedid": "1800.9",
                "channel": "ivr",
            }
        )
        self.assertEqual(request.channel, "ivr")
        self.assertTrue(request.user_id, "a coordinator")
        request.product_id = self.service
        request.action_find_providers()
        order = request._dispatch_to_provider(self.provider_a)
        self.assertEqual(order.coordinator_id, request.user_id)
        order.sudo()._eldercare_portal_accept()
        order.sudo()._eldercare_portal_finish(1)
        self.assertEqual(request.state, "done")
        call = self.env.ref("eldercare_household.mail_activity_satisfaction_call")
        follow_up = request.activity_ids.filtered(lambda a: a.activity_type_id == call)
        self.assertEqual(follow_up.user_id, request.user_id)

    def test_without_configured_coordinators_operators_take_part(self):
        self.env.company.eldercare_coordinator_ids = False
        request = self.Request._eldercare_create_from_phone(
            [{"caller_number": "13912345678", "key": "3", "linkedid": "1800.5"}]
        )
        self.assertTrue(
            request.user_id.has_group("eldercare_base.group_eldercare_operator")
        )
        self.assertFalse(request.user_id.share)
