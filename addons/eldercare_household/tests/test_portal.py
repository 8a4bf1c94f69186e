import re
from unittest.mock import patch

from odoo.tests import HttpCase, tagged

from ..controllers.portal import EldercareProviderPortal
from .common import HEALTH_MARKERS, HouseholdTestMixin


@tagged("post_install", "-at_install")
class TestProviderPortal(HouseholdTestMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_household_world()
        cls.request_a, cls.order_a = cls._dispatch(cls.provider_a)
        cls.request_b, cls.order_b = cls._dispatch(cls.provider_b)

    @classmethod
    def _dispatch(cls, provider):
        request = cls.env["eldercare.service.request"].create(
            {
                "partner_id": cls.elder.id,
                "product_id": cls.service.id,
                "channel": "operator",
                "user_id": cls.operator.id,
            }
        )
        request.action_find_providers()
        request.proposal_ids.filtered(
            lambda p: p.provider_id == provider
        ).action_confirm()
        return request, request.work_order_id

    def _csrf(self, html):
        match = re.search(r'name="csrf_token" value="([^"]+)"', html)
        self.assertTrue(match, "the page has a CSRF-protected form")
        return match.group(1)

    def _post(self, url, data, files=None):
        response = self.url_open(url, data=data, files=files)
        # the request ran in another environment: drop our cached values
        self.env.invalidate_all()
        return response

    def _page(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        return response

    def test_list_shows_only_own_orders(self):
        self.authenticate("provider_a_test", "provider_a_test")
        html = self._page("/my/work_orders").text
        self.assertIn(self.order_a.name, html)
        self.assertNotIn(self.order_b.name, html)
        self.assertIn("刘秀英", html)
        for marker in HEALTH_MARKERS:
            self.assertNotIn(marker, html)
        # filters and sorting
        html = self._page("/my/work_orders?filterby=done&sortby=name").text
        self.assertNotIn(self.order_a.name, html)
        html = self._page("/my/work_orders?filterby=todo&sortby=bogus").text
        self.assertIn(self.order_a.name, html)
        # home counter
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["work_order_count"]}
        )
        self.assertEqual(counters["work_order_count"], 1)

    def test_other_provider_order_is_refused(self):
        self.authenticate("provider_a_test", "provider_a_test")
        response = self.url_open(f"/my/work_orders/{self.order_b.id}")
        self.assertNotIn(self.order_b.name, response.text)
        self.assertTrue(
            response.url.endswith("/my") or response.status_code in (403, 404),
            response.url,
        )
        # acting on it is refused too, and changes nothing
        own = self._page(f"/my/work_orders/{self.order_a.id}")
        csrf = self._csrf(own.text)
        self._post(
            f"/my/work_orders/{self.order_b.id}/accept", data={"csrf_token": csrf}
        )
        self.assertEqual(self.order_b.state, "assigned")
        response = self.url_open("/my/work_orders/999999")
        self.assertTrue(response.url.endswith("/my"))

    def test_detail_has_no_health_data(self):
        self.authenticate("provider_a_test", "provider_a_test")
        html = self._page(f"/my/work_orders/{self.order_a.id}").text
        self.assertIn(self.order_a.name, html)
        self.assertIn("刘秀英", html)
        self.assertIn("幸福路12号", html)
        self.assertIn("+8613912345678", html)
        self.assertIn("测试开锁", html)
        for marker in HEALTH_MARKERS:
            self.assertNotIn(marker, html)

    def test_accept_start_finish_then_satisfaction(self):
        self.authenticate("provider_a_test", "provider_a_test")
        url = f"/my/work_orders/{self.order_a.id}"
        csrf = self._csrf(self._page(url).text)
        response = self._post(url + "/accept", data={"csrf_token": csrf})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.order_a.state, "accepted")
        self.assertIn("You accepted the work order", response.text)

        # bad quantity: clear error, nothing changes
        response = self._post(
            url + "/finish", data={"csrf_token": csrf, "quantity": "abc"}
        )
        self.assertIn("must be a number", response.text)
        self.assertEqual(self.order_a.state, "accepted")

        self._post(url + "/start", data={"csrf_token": csrf})
        self.assertEqual(self.order_a.state, "in_progress")
        response = self._post(
            url + "/finish",
            data={"csrf_token": csrf, "quantity": "1.5", "note": "锁芯已更换"},
            files={"attachment": ("done.png", b"\x89PNG\r\n\x1a\nfake", "image/png")},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.order_a.state, "done")
        self.assertEqual(self.order_a.quantity, 1.5)
        self.assertEqual(self.request_a.state, "done")
        attachment = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "eldercare.work.order"),
                ("res_id", "=", self.order_a.id),
            ]
        )
        self.assertEqual(attachment.name, "done.png")
        message = self.order_a.message_ids.filtered(lambda m: "锁芯已更换" in m.body)
        self.assertEqual(message.author_id, self.user_a.partner_id)
        self.assertEqual(message.attachment_ids, attachment)

        # the center records a poor score: the supervisor gets an activity
        self.env.company.eldercare_satisfaction_user_id = self.supervisor
        self.env["eldercare.satisfaction.wizard"].with_user(self.operator).create(
            {
                "work_order_id": self.order_a.id,
                "satisfaction": "2",
                "feedback": "态度差",
            }
        ).action_confirm()
        self.assertEqual(self.request_a.satisfaction, "2")
        self.assertEqual(self.request_a.activity_ids.user_id, self.supervisor)

    def test_decline_with_reason(self):
        self.authenticate("provider_a_test", "provider_a_test")
        url = f"/my/work_orders/{self.order_a.id}"
        csrf = self._csrf(self._page(url).text)
        response = self._post(url + "/decline", data={"csrf_token": csrf, "reason": ""})
        self.assertIn("give a reason", response.text)
        self.assertEqual(self.order_a.state, "assigned")
        response = self._post(
            url + "/decline", data={"csrf_token": csrf, "reason": "当天无人手"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(self.order_a._is_handed_back())
        self.assertEqual(self.order_a.decline_reason, "当天无人手")
        self.assertEqual(self.request_a.state, "quoted")
        # the order left the provider's list
        html = self._page("/my/work_orders").text
        self.assertNotIn(self.order_a.name, html)

    def test_provider_b_isolated_from_a(self):
        self.authenticate("provider_b_test", "provider_b_test")
        html = self._page("/my/work_orders").text
        self.assertIn(self.order_b.name, html)
        self.assertNotIn(self.order_a.name, html)
        response = self.url_open(f"/my/work_orders/{self.order_a.id}")
        self.assertNotIn(self.order_a.name, response.text)

    def test_pager_and_sorting(self):
        _request, order_2 = self._dispatch(self.provider_a)
        _request, order_3 = self._dispatch(self.provider_a)
        names = sorted((self.order_a | order_2 | order_3).mapped("name"))
        self.authenticate("provider_a_test", "provider_a_test")
        with patch.object(EldercareProviderPortal, "_items_per_page", 2):
            page1 = self._page("/my/work_orders?sortby=name").text
            page2 = self._page("/my/work_orders/page/2?sortby=name").text
        # name descending: the two newest on page 1, the oldest on page 2
        self.assertIn(names[2], page1)
        self.assertIn(names[1], page1)
        self.assertNotIn(names[0], page1)
        self.assertIn(names[0], page2)
        self.assertNotIn(names[2], page2)
        self.assertIn("/my/work_orders/page/2", page1, "the pager links page 2")
        self.assertNotIn(self.order_b.name, page1 + page2)
