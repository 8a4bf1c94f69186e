from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import EldercareCommon


@tagged("post_install", "-at_install")
class TestPhone(EldercareCommon):
    def test_normalize_common_forms(self):
        normalize = self.env["eldercare.phone"]._normalize_number
        for raw in (
            "13800138000",
            "138 0013 8000",
            "+86 138 0013 8000",
            "+8613800138000",
            "0086-138-0013-8000",
            "0086 13800138000",
            "8613800138000",
            "(+86) 138-0013-8000",
        ):
            self.assertEqual(normalize(raw), "+8613800138000", raw)
        self.assertEqual(normalize("010-6552 1234"), "+861065521234")
        self.assertEqual(normalize("(010) 65521234"), "+861065521234")
        self.assertEqual(normalize("+86 10 6552 1234"), "+861065521234")
        self.assertEqual(normalize("+1 650 253 0000"), "+16502530000")

    def test_normalize_hostile_input(self):
        normalize = self.env["eldercare.phone"]._normalize_number
        for raw in (
            None,
            False,
            "",
            "   ",
            "abc",
            "1-800-FLOWERS",
            "138001380OO",
            "1" * 200,
            "+86 " + "9" * 200,
            "'; DROP TABLE res_partner; --",
            "13800138000' OR '1'='1",
            "12345",
            "+",
            "----",
            "\x00\x01",
            ["13800138000"],
            {"number": "13800138000"},
        ):
            self.assertFalse(normalize(raw), repr(raw))

    def test_lookup_any_written_form(self):
        Partner = self.env["res.partner"]
        for raw in (
            "13700137000",
            "+86 137 0013 7000",
            "0086-137-0013-7000",
            "8613700137000",
            "010-6552 1234",
            "01065521234",
            "+861065521234",
        ):
            self.assertEqual(
                Partner._eldercare_find_elder_by_phone(raw), self.elder_a, raw
            )

    def test_batch_lookup_matches_the_single_lookup(self):
        """A burst of calls is identified in one query, with the same answer
        for every written form as one call at a time."""
        self.env["eldercare.phone"].create(
            {"partner_id": self.elder_b.id, "number": "13600136000"}
        )
        raws = [
            "13700137000",
            "+86 137 0013 7000",
            "010-6552 1234",
            "13600136000",
            "13911119999",  # valid but unknown
            "letters",
            "",
        ]
        with self.assertQueryCount(1):
            found = self.env["res.partner"]._eldercare_find_elders_by_phone(raws)
        self.assertEqual(
            found,
            {
                "13700137000": self.elder_a,
                "+86 137 0013 7000": self.elder_a,
                "010-6552 1234": self.elder_a,
                "13600136000": self.elder_b,
            },
        )
        for raw in raws:
            self.assertEqual(
                found.get(raw, self.env["res.partner"]),
                self.env["res.partner"]._eldercare_find_elder_by_phone(raw),
                raw,
            )

    def test_lookup_garbage_never_crashes(self):
        Partner = self.env["res.partner"]
        for raw in (
            "",
            None,
            "letters",
            "x" * 200,
            "9" * 200,
            "1; SELECT * FROM res_users",
            "13700137000 OR 1=1",
            12345,
            "13911119999",  # valid but unknown
        ):
            result = Partner._eldercare_find_elder_by_phone(raw)
            self.assertFalse(result, repr(raw))
            self.assertEqual(result._name, "res.partner")

    def test_lookup_ignores_archived_number_and_elder(self):
        Partner = self.env["res.partner"]
        phone = self.elder_a.elder_phone_ids.filtered(
            lambda p: p.number_e164 == "+8613700137000"
        )
        phone.active = False
        self.assertFalse(Partner._eldercare_find_elder_by_phone("13700137000"))
        phone.active = True
        self.elder_a.active = False
        self.assertFalse(Partner._eldercare_find_elder_by_phone("13700137000"))

    def test_archived_elder_frees_numbers(self):
        self.elder_a.active = False
        phones = self.elder_a.with_context(active_test=False).elder_phone_ids
        self.assertEqual(len(phones), 2)
        self.assertFalse(any(phones.mapped("active")))
        moved = self.env["eldercare.phone"].create(
            {"partner_id": self.elder_b.id, "number": "13700137000"}
        )
        self.assertEqual(
            self.env["res.partner"]._eldercare_find_elder_by_phone("13700137000"),
            self.elder_b,
        )
        self.assertTrue(moved.active)

    def test_number_unique_among_active_elders(self):
        # the message never names the other elder (issue 16)
        with self.assertRaisesRegex(
            ValidationError, "already certified for another elder"
        ) as caught:
            self.env["eldercare.phone"].create(
                {"partner_id": self.elder_b.id, "number": "+86 137 0013 7000"}
            )
        self.assertNotIn("张秀英", str(caught.exception))
        # once archived on the first elder, the number can move to another one
        self.elder_a.elder_phone_ids.filtered(
            lambda p: p.number_e164 == "+8613700137000"
        ).active = False
        moved = self.env["eldercare.phone"].create(
            {"partner_id": self.elder_b.id, "number": "137-0013-7000"}
        )
        self.assertEqual(moved.number_e164, "+8613700137000")
        self.assertEqual(
            self.env["res.partner"]._eldercare_find_elder_by_phone("13700137000"),
            self.elder_b,
        )

    def test_invalid_number_rejected_with_clear_message(self):
        Phone = self.env["eldercare.phone"]
        for raw in ("abc", "12345", "x" * 200, "'; DROP TABLE eldercare_phone; --"):
            with (
                self.subTest(raw=raw),
                self.assertRaisesRegex(ValidationError, "is not a valid phone number"),
            ):
                Phone.create({"partner_id": self.elder_b.id, "number": raw})

    def test_several_numbers_per_elder(self):
        self.elder_b.write(
            {
                "elder_phone_ids": [
                    Command.create({"number": "13611112222"}),
                    Command.create({"number": "010-8888 6666", "phone_type": "home"}),
                ],
                "certified": True,
            }
        )
        self.assertEqual(
            sorted(self.elder_b.elder_phone_ids.mapped("number_e164")),
            ["+861088886666", "+8613611112222"],
        )
        self.assertEqual(
            self.env["res.partner"]._eldercare_find_elder_by_phone("0086 10 8888 6666"),
            self.elder_b,
        )

    def test_certify_buttons(self):
        self.elder_a.action_eldercare_certify()
        self.assertTrue(self.elder_a.certified)
        self.elder_a.action_eldercare_uncertify()
        self.assertFalse(self.elder_a.certified)
        with self.assertRaisesRegex(UserError, "at least one phone number"):
            self.elder_c.action_eldercare_certify()
        self.assertFalse(self.elder_c.certified)

    def test_elder_card(self):
        card = self.elder_a._eldercare_elder_card()
        self.assertEqual(card["name"], "张秀英")
        self.assertEqual(card["address"], "和平里三区12号楼2单元301")
        self.assertEqual(card["community"], self.community_a.complete_name)
        self.assertEqual(card["relatives"][0]["work_unit"], "北京市第一机床厂")
        self.assertEqual(card["medicines"][0]["name"], "硝苯地平缓释片")
        self.assertIn("+8613700137000", card["phones"])
        self.assertGreaterEqual(card["age"], 80)
        import json

        json.dumps(card)  # must be serialisable
