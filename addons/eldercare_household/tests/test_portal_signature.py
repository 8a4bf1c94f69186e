import base64
import io
import re

from PIL import Image

from odoo.tests import HttpCase, tagged

from .common import HouseholdTestMixin


def _signature_png():
    image = Image.new("RGB", (120, 40), "white")
    for x in range(10, 110):
        image.putpixel((x, 20 + (x % 7)), (0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


@tagged("post_install", "-at_install")
class TestPortalSignature(HouseholdTestMixin, HttpCase):
    """The elder's signature, drawn on the provider's portal, is evidence."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_household_world()
        cls.service.eldercare_verification = "evidence"
        request = cls.env["eldercare.service.request"].create(
            {
                "partner_id": cls.elder.id,
                "product_id": cls.service.id,
                "user_id": cls.operator.id,
            }
        )
        cls.order = request._dispatch_to_provider(cls.provider_a)
        cls.order.sudo()._eldercare_portal_accept()
        cls.order.sudo()._eldercare_portal_start()

    def _sign(self, name, signature):
        return self.make_jsonrpc_request(
            f"/my/work_orders/{self.order.id}/sign",
            {"name": name, "signature": signature},
        )

    def _finish(self, files=None):
        url = f"/my/work_orders/{self.order.id}"
        html = self.url_open(url).text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        response = self.url_open(
            url + "/finish",
            data={"csrf_token": csrf, "quantity": "1"},
            files=files,
        )
        self.env.invalidate_all()
        return response

    def test_signature_verifies_like_the_pin(self):
        self.authenticate("provider_a_test", "provider_a_test")
        html = self.url_open(f"/my/work_orders/{self.order.id}").text
        self.assertIn("Elder&#39;s signature", html.replace("'", "&#39;"))
        self.assertIn('name="portal.signature_form"', html)
        self.assertIn(f"/my/work_orders/{self.order.id}/sign", html)
        # an empty name or no drawing is refused with a clear message
        self.assertIn("type their name", self._sign("", _signature_png())["error"])
        self.assertIn("signature is missing", self._sign("王大爷", "")["error"])
        self.assertIn(
            "could not be decoded as an image",
            self._sign("王大爷", "bm90IGFuIGltYWdl")["error"],
        )
        self.env.invalidate_all()
        self.assertFalse(self.order.evidence_signature)
        result = self._sign("王大爷", _signature_png())
        self.assertTrue(result.get("force_refresh"), result)
        self.env.invalidate_all()
        self.assertTrue(self.order.evidence_signature)
        self.assertEqual(self.order.evidence_signed_by, "王大爷")
        page = self.url_open(result["redirect_url"]).text
        self.assertIn("Signed by", page)
        self.assertIn("<strong>王大爷</strong>", page)
        # photo + times + signature, no PIN: verified at once by evidence
        photo = {"attachment": ("after.png", b"\x89PNG\r\n\x1a\nfake", "image/png")}
        self._finish(files=photo)
        self.assertEqual(self.order.state, "verified")
        self.assertEqual(self.order.verified_via, "evidence")
        self.assertFalse(self.order.evidence_pin_ok)

    def test_without_pin_or_signature_the_coordinator_checks(self):
        self.authenticate("provider_a_test", "provider_a_test")
        photo = {"attachment": ("after.png", b"\x89PNG\r\n\x1a\nfake", "image/png")}
        self._finish(files=photo)
        self.assertEqual(self.order.state, "done", "a claim, not verified")
        self.assertEqual(
            self.order.sudo()._eldercare_evidence_missing(),
            ["the elder's PIN or signature"],
        )
        # once finished, the order can no longer be signed from the portal
        self.assertIn(
            "not possible any more", self._sign("王大爷", _signature_png())["error"]
        )

    def test_other_provider_cannot_sign(self):
        self.authenticate("provider_b_test", "provider_b_test")
        self.assertIn("not yours", self._sign("王大爷", _signature_png())["error"])
        self.env.invalidate_all()
        self.assertFalse(self.order.evidence_signature)
