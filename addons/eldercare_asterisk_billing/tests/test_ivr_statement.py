from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.eldercare_billing.tests.common import EldercareBillingDataMixin


@tagged("post_install", "-at_install", "eldercare_asterisk_billing")
class TestIvrStatement(EldercareBillingDataMixin, AccountTestInvoicingCommon):
    """Key 8 of the voice menu reads out what the elder owes this month."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_billing_month()
        Option = cls.env["eldercare.ivr.option"]
        Option.search([("digit", "=", "8")]).unlink()
        Option.create({"digit": "8", "name": "Statement", "action": "statement"})
        # as superuser in the company of the billing data (the bridge user's
        # own access is tested in eldercare_asterisk)
        cls.bridge = cls.env["eldercare.pbx.bridge"]

    def press_8(self, elder, linkedid):
        self.env["eldercare.call"].create(
            {"linkedid": linkedid, "direction": "inbound", "elder_id": elder.id}
        )
        with freeze_time("2025-03-31 10:00:00"):
            return self.bridge.ivr_choice({"linkedid": linkedid, "digits": "8"})

    def test_statement_digit_reads_the_running_total(self):
        with freeze_time("2025-03-31"):
            total = self.env["eldercare.statement"]._running_total(self.elder_normal)
        self.assertTrue(total["complete"])
        result = self.press_8(self.elder_normal, "1700000300.1")
        self.assertEqual(result["route"], "statement")
        self.assertEqual(result["say"], f"{total['amount_elder']:.2f}")
        self.assertEqual(result["say"], "165.00")
        self.assertFalse(result["amount_checking"])
        call = self.env["eldercare.call"].search([("linkedid", "=", "1700000300.1")])
        self.assertEqual(call.route, "statement")

    def test_statement_with_pricing_problems_is_not_read_out(self):
        """A work order without a price keeps the total incomplete: the
        caller hears that the amount is being checked, not 165.00."""
        self._order(
            self.elder_normal, self.svc_free_price, self.provider_b, 9, price_unit=0
        )
        total = self.env["eldercare.statement"]._running_total(
            self.elder_normal, date(2025, 3, 31)
        )
        self.assertFalse(total["complete"])
        self.assertEqual(total["amount_elder"], 165.0)
        result = self.press_8(self.elder_normal, "1700000300.2")
        self.assertEqual(result["route"], "statement")
        self.assertEqual(result["say"], "")
        self.assertTrue(result["amount_checking"])
