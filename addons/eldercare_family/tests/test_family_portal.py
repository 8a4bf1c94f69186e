import re

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import FamilyCommon


@tagged("post_install", "-at_install")
class TestFamilyInvite(FamilyCommon):
    def test_invite_creates_family_portal_user(self):
        user = self.relative_user
        self.assertTrue(user.share)
        self.assertTrue(user.has_group("eldercare_family.group_eldercare_family"))
        self.assertFalse(user.has_group("base.group_user"))
        self.assertEqual(user.partner_id, self.son.contact_partner_id)
        self.assertEqual(
            self.env["eldercare.relative"]._eldercare_family_relatives(user), self.son
        )

    def test_same_person_relative_of_two_elders_has_one_login(self):
        niece = self.env["eldercare.relative"].create(
            {
                "partner_id": self.elder_c.id,
                "name": "王建国",
                "relation": "other",
                "email": "WangJianGuo@example.com",
            }
        )
        niece.with_user(self.operator).action_eldercare_invite_portal()
        self.assertEqual(niece.portal_user_id, self.relative_user)
        relatives = self.env["eldercare.relative"]._eldercare_family_relatives(
            self.relative_user
        )
        self.assertEqual(relatives.partner_id, self.elder_a | self.elder_c)

    def test_invite_needs_an_email(self):
        daughter = self.elder_b.relative_ids
        with self.assertRaisesRegex(UserError, "Enter the email of 李小红"):
            daughter.with_user(self.operator).action_eldercare_invite_portal()

    def test_relative_has_no_orm_access_to_elders(self):
        env = self.env(user=self.relative_user)
        self.assertFalse(
            env["res.partner"].search_read([("is_elder", "=", True)], ["name"])
        )
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.elder_a.with_user(self.relative_user).read(["name"])
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            env["eldercare.work.order"].search([])
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            env["eldercare.relative"].search([])

    def test_update_contact_rejects_garbage(self):
        with self.assertRaisesRegex(UserError, "not a phone number"):
            self.son._eldercare_family_update_contact("abc", "")
        self.son._eldercare_family_update_contact("139 1111 9999", "工作日18点后")
        self.assertEqual(self.son.phone, "139 1111 9999")
        self.assertEqual(self.son.phone_e164, "+8613911119999")
        self.assertEqual(self.son.availability, "工作日18点后")


@tagged("post_install", "-at_install")
class TestFamilyPortalHttp(HttpCase, FamilyCommon):
    def test_relative_sees_own_elder_visits_only(self):
        self.authenticate(self.relative_login, "fam_relative_pw")
        response = self.url_open("/my/family")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.url.endswith(f"/my/family/{self.elder_a.id}"))
        page = response.text
        self.assertIn("张秀英", page)
        self.assertIn(self.visit_upcoming.name, page)
        self.assertIn(self.visit_past.name, page)
        self.assertNotIn(self.visit_other.name, page)
        self.assertNotIn("李德明", page)
        # health details are not on the page
        self.assertNotIn("青霉素", page)
        self.assertNotIn("硝苯地平", page)

    def test_other_elder_page_is_not_found(self):
        self.authenticate(self.relative_login, "fam_relative_pw")
        with mute_logger("odoo.http"):
            response = self.url_open(f"/my/family/{self.elder_b.id}")
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("李德明", response.text)

    def test_employee_without_link_sees_no_elder(self):
        self._user("fam_portal_stranger", "base.group_portal")
        self.authenticate("fam_portal_stranger", "fam_portal_stranger")
        response = self.url_open("/my/family")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("张秀英", response.text)
        with mute_logger("odoo.http"):
            response = self.url_open(f"/my/family/{self.elder_a.id}")
        self.assertEqual(response.status_code, 404)

    def test_relative_updates_phone_and_availability(self):
        self.authenticate(self.relative_login, "fam_relative_pw")
        page = self.url_open(f"/my/family/{self.elder_a.id}").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = self.url_open(
            f"/my/family/{self.elder_a.id}/contact",
            data={
                "phone": "13911118888",
                "availability": "周末全天",
                "csrf_token": csrf,
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.son.phone, "13911118888")
        self.assertEqual(self.son.availability, "周末全天")
        response = self.url_open(
            f"/my/family/{self.elder_a.id}/contact",
            data={"phone": "not-a-phone", "csrf_token": csrf},
        )
        self.assertIn("not a phone number", response.text)
        self.assertEqual(self.son.phone, "13911118888")
        # the form of another elder's relative is refused
        with mute_logger("odoo.http"):
            response = self.url_open(
                f"/my/family/{self.elder_b.id}/contact",
                data={"phone": "13911117777", "csrf_token": csrf},
            )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.elder_b.relative_ids.phone, "13922223333")

    def test_page_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["eldercare_family"], ["zh_CN"])
        self.relative_user.lang = "zh_CN"
        self.authenticate(self.relative_login, "fam_relative_pw")
        page = self.url_open(f"/my/family/{self.elder_a.id}").text
        self.assertIn("我的联系方式", page)
        self.assertIn("上门服务", page)
