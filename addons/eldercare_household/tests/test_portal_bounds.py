import json
import re

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import HouseholdTestMixin


@tagged("post_install", "-at_install")
class TestPortalBounds(HouseholdTestMixin, HttpCase):
    """A provider changes its orders only through bounded portal steps."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_household_world()
        cls.request, cls.order = cls._dispatch_to(cls.provider_a)
        cls.order.sudo()._eldercare_portal_accept()
        cls.order.sudo()._eldercare_portal_start()

    @classmethod
    def _dispatch_to(cls, provider):
        request = cls.env["eldercare.service.request"].create(
            {
                "partner_id": cls.elder.id,
                "product_id": cls.service.id,
                "user_id": cls.operator.id,
            }
        )
        return request, request._dispatch_to_provider(provider)

    def _csrf(self, url):
        html = self.url_open(url).text
        match = re.search(r'name="csrf_token" value="([^"]+)"', html)
        self.assertTrue(match, "the page has a CSRF-protected form")
        return match.group(1)

    def _finish(self, data, files=None):
        url = f"/my/work_orders/{self.order.id}"
        data = {"csrf_token": self._csrf(url), **data}
        response = self.url_open(url + "/finish", data=data, files=files)
        self.env.invalidate_all()
        return response

    def test_quantity_over_contract_maximum_refused(self):
        self.authenticate("provider_a_test", "provider_a_test")
        response = self._finish({"quantity": "999"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("A quantity of 999 is more than the 10", response.text)
        self.assertEqual(self.order.state, "in_progress")
        self.assertEqual(self.order.quantity, 1.0)
        # the contract's own maximum wins over the service item's
        self.contract_a.line_ids.max_quantity = 2.0
        response = self._finish({"quantity": "3"})
        self.assertIn("more than the 2", response.text)
        response = self._finish({"quantity": "2"})
        self.assertEqual(self.order.state, "done")
        self.assertEqual(self.order.quantity, 2.0)
        self.assertEqual(self.order.amount_total, 160.0)

    def test_json_rpc_writes_refused(self):
        self.authenticate("provider_a_test", "provider_a_test")
        for vals in (
            {"state": "done"},
            {"state": "verified"},
            {"quantity": 999},
            {"price_unit": 1},
            {"date_scheduled": "2030-01-01 00:00:00"},
            {"user_id": self.user_a.id},
        ):
            with self.subTest(vals=vals), mute_logger("odoo.http"):
                response = self.url_open(
                    "/web/dataset/call_kw",
                    data=json.dumps(
                        {
                            "jsonrpc": "2.0",
                            "method": "call",
                            "params": {
                                "model": "eldercare.work.order",
                                "method": "write",
                                "args": [[self.order.id], vals],
                                "kwargs": {},
                            },
                        }
                    ),
                    headers={"Content-Type": "application/json"},
                )
                error = response.json()["error"]["data"]["message"]
                self.assertIn("only through the steps of the provider portal", error)
        self.env.invalidate_all()
        self.assertEqual(self.order.state, "in_progress")
        self.assertEqual(self.order.quantity, 1.0)
        self.assertEqual(self.order.price_unit, 80.0)

    def test_evidence_with_elder_pin_verifies(self):
        self.service.eldercare_verification = "evidence"
        self.elder.eldercare_service_pin = "2468"
        self.authenticate("provider_a_test", "provider_a_test")
        html = self.url_open(f"/my/work_orders/{self.order.id}").text
        self.assertIn('name="pin"', html)
        self.assertNotIn("2468", html, "the PIN is never shown to the provider")
        photo = {"attachment": ("after.png", b"\x89PNG\r\n\x1a\nfake", "image/png")}
        response = self._finish({"quantity": "1", "pin": "1111"}, files=photo)
        self.assertIn("service PIN. Ask the elder again", response.text)
        self.assertEqual(self.order.state, "in_progress")
        self._finish({"quantity": "1", "pin": "2468"}, files=photo)
        self.assertEqual(self.order.state, "verified")
        self.assertEqual(self.order.verified_via, "evidence")
        self.assertTrue(self.order.evidence_pin_ok)
