from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import EldercareCommon


@tagged("post_install", "-at_install")
class TestAreaElder(EldercareCommon):
    def test_area_hierarchy(self):
        self.assertEqual(
            self.community_a.complete_name, "测试市 / 测试区 / 测试街道 / 甲社区"
        )
        self.assertEqual(self.community_a._get_ancestor("district"), self.district)
        with self.assertRaisesRegex(ValidationError, "higher level"):
            self.env["eldercare.area"].create(
                {"name": "错层", "level": "district", "parent_id": self.street.id}
            )
        with self.assertRaises(UserError):  # level error / recursion
            self.city.parent_id = self.community_a  # level error / cycle

    def test_elder_area_levels_and_search(self):
        self.assertEqual(self.elder_a.area_street_id, self.street)
        self.assertEqual(self.elder_a.area_district_id, self.district)
        self.assertEqual(self.elder_a.area_city_id, self.city)
        in_street = self.env["res.partner"].search(
            [("is_elder", "=", True), ("community_id", "child_of", self.street.id)]
        )
        self.assertIn(self.elder_a, in_street)
        self.assertIn(self.elder_b, in_street)
        self.assertNotIn(self.elder_c, in_street)

    def test_community_must_be_a_community(self):
        with self.assertRaisesRegex(ValidationError, "not a community"):
            self.elder_b.community_id = self.street

    @freeze_time("2026-03-11")
    def test_age(self):
        elder = self.env["res.partner"].create(
            {"name": "钱老", "is_elder": True, "birthdate": date(1946, 3, 12)}
        )
        self.assertEqual(elder.age, 79)
        elder.birthdate = date(1946, 3, 11)
        self.assertEqual(elder.age, 80)
        self.assertIn(
            elder,
            self.env["res.partner"].search([("age", ">=", 80), ("age", "<", 90)]),
        )
        with self.assertRaisesRegex(ValidationError, "in the future"):
            elder.birthdate = date(2030, 1, 1)

    @freeze_time("2026-03-11")
    def test_age_band(self):
        Partner = self.env["res.partner"]
        bands = {}
        for year in (1960, 1950, 1940, 1930):
            elder = Partner.create(
                {"name": f"年龄{year}", "is_elder": True, "birthdate": date(year, 1, 1)}
            )
            bands[year] = elder.age_band
        self.assertEqual(
            bands, {1960: "lt70", 1950: "70_79", 1940: "80_89", 1930: "90"}
        )

    def test_id_number(self):
        self.elder_a.id_number = "11010519491231002X"
        self.elder_a.id_number = "110105194912310021"[:17] + "X"  # same, checksum X
        for bad in ("123", "11010519491231002Y", "110105194912310020", "x" * 200):
            with self.assertRaisesRegex(ValidationError, "not a valid ID number"):
                self.elder_b.id_number = bad
        with self.assertRaisesRegex(ValidationError, "already registered"):
            self.elder_b.id_number = "11010519491231002x"

    def test_id_number_duplicate_within_one_create(self):
        with self.assertRaisesRegex(ValidationError, "already registered"):
            self.env["res.partner"].create(
                [
                    {"name": name, "is_elder": True, "id_number": "11010519491231002X"}
                    for name in ("甲", "乙")
                ]
            )

    def test_age_refresh_cron(self):
        elder = self.env["res.partner"].create(
            {"name": "孙老", "is_elder": True, "birthdate": date(1946, 3, 12)}
        )
        with freeze_time("2026-03-11"):
            elder.birthdate = date(1946, 3, 12)  # recompute on the eve
            self.assertEqual(elder.age, 79)
        with freeze_time("2026-03-14"):  # the run of the 12th was missed
            self.assertGreaterEqual(
                self.env["res.partner"]._cron_eldercare_refresh_age(), 1
            )
            elder.invalidate_recordset(["age", "age_band"])
            self.assertEqual(elder.age, 80)
            self.assertEqual(elder.age_band, "80_89")
            self.assertEqual(self.env["res.partner"]._cron_eldercare_refresh_age(), 0)

    def test_health_changes_tracked(self):
        Partner = self.env["res.partner"]
        tracked = Partner._track_get_fields()
        for fname in (
            "allergies",
            "blood_type",
            "mobility",
            "medical_history",
            "health_condition_ids",
            "doctor",
            "hospital",
            "health_notes",
        ):
            self.assertIn(fname, tracked)
        changes, _values = self.elder_a._mail_track(
            Partner.fields_get(["allergies"]), {"allergies": "无"}
        )
        self.assertEqual(changes, {"allergies"})
        # medicines (a sub-model) are logged on the elder's chatter
        elder = self.elder_a.with_context(tracking_disable=False)
        elder.medicine_ids = [(0, 0, {"name": "阿司匹林肠溶片", "dose": "100mg"})]
        elder.invalidate_recordset(["message_ids"])
        self.assertIn("阿司匹林肠溶片", elder.message_ids[0].body)

    def test_elder_form(self):
        form = Form(
            self.env["res.partner"].with_context(default_is_elder=True),
            view="eldercare_base.res_partner_view_form_elder",
        )
        form.name = "周淑珍"
        form.community_id = self.community_b
        form.birthdate = date(1940, 1, 1)
        with form.elder_phone_ids.new() as phone:
            phone.number = "136 2222 3333"
        with form.relative_ids.new() as rel:
            rel.name = "周强"
            rel.relation = "son"
            rel.phone = "13766667777"
        elder = form.save()
        self.assertTrue(elder.is_elder)
        self.assertEqual(elder.elder_phone_ids.number_e164, "+8613622223333")
        self.assertEqual(elder.relative_ids.phone_e164, "+8613766667777")
