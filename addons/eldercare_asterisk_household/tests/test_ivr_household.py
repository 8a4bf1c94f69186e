from odoo.tests import tagged

from odoo.addons.eldercare_asterisk.tests.common import (
    ELDER_NUMBER,
    SERVICE_DID,
    EldercarePbxCase,
)


@tagged("post_install", "-at_install", "eldercare_asterisk_household")
class TestIvrHousehold(EldercarePbxCase):
    def choose(self, linkedid, digits, caller=ELDER_NUMBER):
        return self.bridge.ivr_choice(
            {"linkedid": linkedid, "digits": digits, "caller_num": caller}
        )

    def test_household_digit_creates_request(self):
        key = self.env["eldercare.service.key"].search([("key", "=", "1")], limit=1)
        option = self.env["eldercare.ivr.option"].search([("digit", "=", "1")])
        self.assertTrue(key.product_id)
        self.assertEqual(option.product_id, key.product_id)
        self.route("1700000200.1", ELDER_NUMBER, SERVICE_DID)
        result = self.choose("1700000200.1", "1")
        self.assertEqual(result["route"], "request")
        request = self.env["eldercare.service.request"].browse(result["request_id"])
        self.assertTrue(request.exists())
        self.assertEqual(request.partner_id, self.elder)
        self.assertEqual(result["say"], request.display_name)
        # a voice-menu request: its channel, the service chosen, and a
        # coordinator who has it on their list (not the bridge's own login)
        self.assertEqual(request.channel, "ivr")
        self.assertEqual(request.product_id, key.product_id)
        self.assertTrue(request.user_id)
        self.assertNotEqual(request.user_id, self.bridge_user)
        call = self.call_of("1700000200.1")
        self.assertEqual(call.request_ref, request)
        self.assertEqual(call.route, "request")
        # the same call pressing the key again orders nothing more
        self.assertEqual(self.choose("1700000200.1", "1")["request_id"], request.id)

    def test_service_key_is_the_one_source_of_key_to_service(self):
        """Re-mapping household service key 1 changes both what the voice
        menu shows for key 1 and what pressing it orders."""
        key = self.env["eldercare.service.key"].search([("key", "=", "1")], limit=1)
        other = self.env["eldercare.service.key"].search(
            [("product_id", "!=", key.product_id.id)], limit=1
        )
        self.assertTrue(other, "household data defines several service keys")
        new_product = other.product_id
        other.unlink()
        key.product_id = new_product
        option = self.env["eldercare.ivr.option"].search([("digit", "=", "1")])
        option.invalidate_recordset(["product_id"])
        self.assertEqual(option.product_id, new_product)
        self.route("1700000200.2", ELDER_NUMBER, SERVICE_DID)
        result = self.choose("1700000200.2", "1")
        request = self.env["eldercare.service.request"].browse(result["request_id"])
        self.assertEqual(request.product_id, new_product)

    def test_key_without_service_key_still_makes_a_request_to_call_back(self):
        """A voice-menu service key with no household service key behind it
        still records the caller's wish, with a note for the coordinator."""
        self.env["eldercare.service.key"].search([("key", "=", "1")]).unlink()
        option = self.env["eldercare.ivr.option"].search([("digit", "=", "1")])
        option.invalidate_recordset(["product_id"])
        self.assertFalse(option.product_id)
        self.route("1700000200.3", ELDER_NUMBER, SERVICE_DID)
        result = self.choose("1700000200.3", "1")
        self.assertEqual(result["route"], "request")
        request = self.env["eldercare.service.request"].browse(result["request_id"])
        self.assertFalse(request.product_id)
        self.assertEqual(request.partner_id, self.elder)

    def test_call_can_point_to_a_service_request(self):
        selection = dict(self.env["eldercare.call"]._selection_request_ref())
        self.assertIn("eldercare.service.request", selection)
        self.assertIn("eldercare.work.order", selection)
