from odoo.tests import tagged

from .common import ELDER_NUMBER, SERVICE_DID, EldercarePbxCase


@tagged("post_install", "-at_install", "eldercare_asterisk")
class TestIvr(EldercarePbxCase):
    def choose(self, linkedid, digits, caller=ELDER_NUMBER):
        return self.bridge.ivr_choice(
            {"linkedid": linkedid, "digits": digits, "caller_num": caller}
        )

    def test_operator_digit(self):
        self.route("1700000100.1", ELDER_NUMBER, SERVICE_DID)
        result = self.choose("1700000100.1", "0")
        self.assertEqual(result["route"], "operator")
        self.assertEqual(result["queue"], "eldercare-service")
        call = self.call_of("1700000100.1")
        self.assertEqual(call.ivr_choices, "0")
        self.assertEqual(call.route, "operator")
        self.assertEqual(call.queue, "eldercare-service")
        self.assertTrue(call.offered, "a call queued for an operator is offered")

    def test_invalid_digit(self):
        self.route("1700000100.2", ELDER_NUMBER, SERVICE_DID)
        for digits in ("7", "", "#", "abc", None, "99999999999"):
            with self.subTest(digits=digits):
                result = self.choose("1700000100.2", digits)
                self.assertEqual(result["route"], "invalid")
                self.assertFalse(result["request_id"])
                self.assertFalse(result["alert_id"])
        call = self.call_of("1700000100.2")
        self.assertTrue(call.ivr_choices.startswith("7,-,#"))

    def test_emergency_digit_raises_ivr_alert(self):
        self.route("1700000100.3", ELDER_NUMBER, SERVICE_DID)
        result = self.choose("1700000100.3", "9")
        self.assertEqual(result["route"], "emergency")
        self.assertEqual(result["queue"], "eldercare-emergency")
        alert = self.env["eldercare.alert"].browse(result["alert_id"])
        self.assertEqual(alert.channel, "ivr")
        self.assertEqual(alert.elder_id, self.elder)
        self.assertEqual(self.call_of("1700000100.3").alert_id, alert)
        # pressing 9 again on the same call does not raise a second alert
        self.assertEqual(self.choose("1700000100.3", "9")["alert_id"], alert.id)

    def test_statement_digit_without_billing_goes_to_operator(self):
        """Without billing there is no statement to read out: no made-up
        amount, an operator answers (eldercare_asterisk_billing reads it)."""
        if "eldercare.statement" in self.env:
            self.skipTest("eldercare_billing is installed")
        self.route("1700000100.4", ELDER_NUMBER, SERVICE_DID)
        result = self.choose("1700000100.4", "8")
        self.assertEqual(result["route"], "operator")
        self.assertEqual(result["say"], "")
        self.assertEqual(self.call_of("1700000100.4").route, "operator")

    def test_statement_for_unknown_caller_goes_to_operator(self):
        self.route("1700000100.5", "anonymous", SERVICE_DID)
        result = self.choose("1700000100.5", "8", caller="anonymous")
        self.assertEqual(result["route"], "operator")
        self.assertEqual(result["queue"], "eldercare-service")

    def test_household_digit_without_household_goes_to_operator(self):
        if "eldercare.service.request" in self.env:
            self.skipTest("eldercare_household is installed")
        self.assertFalse(
            self.env["eldercare.ivr.option"].search([("digit", "=", "1")]).product_id
        )
        self.route("1700000100.7", ELDER_NUMBER, SERVICE_DID)
        result = self.choose("1700000100.7", "1")
        self.assertEqual(result["route"], "operator")
        self.assertEqual(result["queue"], "eldercare-service")
