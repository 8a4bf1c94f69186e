from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .common import HouseholdTestMixin


@tagged("post_install", "-at_install")
class TestServiceKeyAndCalls(HouseholdTestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_household_world()
        cls.Request = cls.env["eldercare.service.request"]

    def test_seed_keys(self):
        Key = self.env["eldercare.service.key"]
        expected = {
            "1": "eldercare_base.product_service_nanny",
            "2": "eldercare_base.product_service_appliance_repair",
            "3": "eldercare_base.product_service_locksmith",
            "4": "eldercare_base.product_service_plumbing",
            "5": "eldercare_base.product_service_rice_delivery",
            "6": "eldercare_base.product_service_gas_delivery",
        }
        for key, xmlid in expected.items():
            self.assertEqual(Key._get_product_for_key(key), self.env.ref(xmlid), key)
        for garbage in (None, "", " ", "*", "9", "3#", 42):
            self.assertFalse(Key._get_product_for_key(garbage), garbage)
        self.assertEqual(Key._get_product_for_key(3), self.env.ref(expected["3"]))

    def test_key_constraints(self):
        Key = self.env["eldercare.service.key"]
        with self.assertRaisesRegex(ValidationError, "digits only"):
            Key.create({"key": "A1", "product_id": self.service.id})
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            Key.create({"key": "3", "product_id": self.service.id})

    def test_call_key_3_known_elder(self):
        request = self.Request._create_from_call(
            {"caller_number": "139 1234 5678", "key": "3", "linkedid": "1700.1"}
        )
        self.assertEqual(request.partner_id, self.elder)
        self.assertEqual(
            request.product_id, self.env.ref("eldercare_base.product_service_locksmith")
        )
        self.assertEqual(request.channel, "phone_key")
        self.assertEqual(request.service_key, "3")
        self.assertEqual(request.community_id, self.community)
        self.assertIn("幸福路12号", request.address)
        self.assertEqual(request.state, "new")
        self.assertFalse(request.note)
        # idempotent on the call id: the AGI may retry
        again = self.Request._create_from_call(
            {"caller_number": "13912345678", "key": "3", "linkedid": "1700.1"}
        )
        self.assertEqual(again, request)

    def test_call_with_elder_id_and_ivr_channel(self):
        request = self.Request._create_from_call(
            {
                "caller_number": "0000",
                "key": "5",
                "linkedid": "1700.2",
                "elder_id": self.elder.id,
                "channel": "ivr",
            }
        )
        self.assertEqual(request.partner_id, self.elder)
        self.assertEqual(request.channel, "ivr")
        self.assertEqual(
            request.product_id,
            self.env.ref("eldercare_base.product_service_rice_delivery"),
        )

    def test_call_unknown_key(self):
        request = self.Request._create_from_call(
            {"caller_number": "13912345678", "key": "9", "linkedid": "1700.3"}
        )
        self.assertTrue(request.exists(), "the request is saved anyway")
        self.assertFalse(request.product_id)
        self.assertEqual(request.partner_id, self.elder)
        self.assertIn('Unknown service key "9"', request.note)
        self.assertIn('Unknown service key "9"', request.message_ids[0].body)

    def test_call_unknown_caller(self):
        request = self.Request._create_from_call(
            {"caller_number": "13800000001", "key": "1", "linkedid": "1700.4"}
        )
        self.assertFalse(request.partner_id)
        self.assertEqual(request.caller_number, "13800000001")
        self.assertEqual(request.phone, "13800000001")
        self.assertEqual(
            request.product_id, self.env.ref("eldercare_base.product_service_nanny")
        )
        self.assertIn("not on file", request.note)
        self.assertEqual(request.requester_display, "13800000001")

    def test_call_garbage(self):
        request = self.Request._create_from_call(
            {"caller_number": None, "key": None, "linkedid": None, "elder_id": "x"}
        )
        self.assertTrue(request.exists())
        self.assertFalse(request.partner_id)
        self.assertFalse(request.product_id)
        self.assertIn("hidden number", request.note)
        # elder_id pointing to a non-elder is ignored
        request2 = self.Request._create_from_call(
            {"caller_number": "", "key": "2", "elder_id": self.provider_a.id}
        )
        self.assertFalse(request2.partner_id)
