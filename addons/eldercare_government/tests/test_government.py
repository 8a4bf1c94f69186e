from datetime import datetime

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.eldercare_base.tests.common import EldercareCommon

GOV = "base.group_user,eldercare_government.group_eldercare_gov_{}"
MONTH = "2026-11"


@tagged("post_install", "-at_install")
class TestGovernment(HttpCase, EldercareCommon):
    """Area officials: read-only, subtree only; totals roll up exactly."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def official(login, level, area):
            return cls._user(
                login,
                GOV.format(level),
                eldercare_area_ids=[Command.set(area.ids)],
                password=login,
            )

        cls.official_a = official("gov_a", "community", cls.community_a)
        cls.official_b = official("gov_b", "community", cls.community_b)
        cls.official_street = official("gov_street", "street", cls.street)
        cls.official_district = official("gov_district", "district", cls.district)
        cls.elder_a.id_number = "11010519491231002X"
        cls.elder_a2 = cls.env["res.partner"].create(
            {
                "name": "钱老",
                "is_elder": True,
                "birthdate": "1930-01-01",
                "community_id": cls.community_a.id,
            }
        )
        when = datetime(2026, 11, 10, 2)
        Alert = cls.env["eldercare.alert"]
        alerts = Alert.create(
            [
                {"elder_id": elder.id, "received_at": when}
                for elder in (
                    cls.elder_a,
                    cls.elder_a,
                    cls.elder_a2,
                    cls.elder_b,
                    cls.elder_c,
                )
            ]
        )
        alerts.write({"answered_at": datetime(2026, 11, 10, 2, 0, 30)})
        cls.alert_c = alerts[-1]
        WorkOrder = cls.env["eldercare.work.order"]
        orders = WorkOrder.create(
            [
                {
                    "elder_id": elder.id,
                    "product_id": product.id,
                    "date_scheduled": when,
                    "price_unit": price,
                }
                for elder, product, price in (
                    (cls.elder_a, cls.nanny, 45.0),
                    (cls.elder_b, cls.gas, 18.0),
                    (cls.elder_b, cls.nanny, 45.0),
                    (cls.elder_c, cls.gas, 18.0),
                )
            ]
        )
        orders.write({"state": "done"})
        payer = cls.env["res.partner"].create({"name": "区民政局", "is_company": True})
        Statement = cls.env["eldercare.statement"]
        for elder, subsidy, order in (
            (cls.elder_a, 30.0, orders[0]),
            (cls.elder_b, 12.5, orders[1]),
            (cls.elder_c, 7.0, orders[3]),
        ):
            Statement.create(
                {
                    "partner_id": elder.id,
                    "period": MONTH,
                    "community_id": elder.community_id.id,
                    "line_ids": [
                        Command.create(
                            {
                                "partner_id": elder.id,
                                "period": MONTH,
                                "community_id": elder.community_id.id,
                                "date": "2026-11-10",
                                "work_order_id": order.id,
                                "product_id": order.product_id.id,
                                "amount": subsidy * 2,
                                "amount_subsidy": subsidy,
                                "amount_elder": subsidy,
                                "payer_id": payer.id,
                            }
                        )
                    ],
                }
            )

    def _totals(self, user, area=None):
        summary = (
            self.env["eldercare.gov.summary"]
            .with_user(user)
            .create({"month": MONTH, "area_id": area.id if area else False})
        )
        return summary._eldercare_gov_summary()["totals"]

    def test_street_totals_are_the_sum_of_its_communities(self):
        street = self._totals(self.official_street)
        parts = [self._totals(self.official_a), self._totals(self.official_b)]
        self.assertEqual(street["alerts"], 4)
        self.assertEqual(street["services"], 3)
        self.assertEqual(street["elders"], 3)
        self.assertAlmostEqual(street["subsidy"], 42.5)
        for key, value in street.items():
            self.assertAlmostEqual(value, sum(part[key] for part in parts), msg=key)
        # the street official choosing one community gets that community's
        self.assertEqual(
            self._totals(self.official_street, self.community_a),
            self._totals(self.official_a),
        )
        # the district is the sum of its two streets
        district = self._totals(self.official_district)
        self.assertEqual(district["alerts"], 5)
        self.assertAlmostEqual(district["subsidy"], 49.5)

    def test_area_fields_make_the_rollup_a_group_by(self):
        groups = (
            self.env["eldercare.alert"]
            .with_user(self.official_district)
            .read_group([], ["area_street_id"], ["area_street_id"])
        )
        counts = {g["area_street_id"][0]: g["area_street_id_count"] for g in groups}
        self.assertEqual(counts, {self.street.id: 4, self.street_2.id: 1})
        line = self.env["eldercare.statement.line"].search(
            [("partner_id", "=", self.elder_c.id)]
        )
        self.assertEqual(line.area_street_id, self.street_2)
        self.assertEqual(line.area_city_id, self.city)

    def test_community_official_sees_only_its_subtree(self):
        env = self.env(user=self.official_a)
        self.assertEqual(
            env["res.partner"].search([("is_elder", "=", True)]),
            self.elder_a | self.elder_a2,
        )
        self.assertEqual(
            env["eldercare.alert"].search([]).elder_id, self.elder_a | self.elder_a2
        )
        self.assertEqual(env["eldercare.work.order"].search([]).elder_id, self.elder_a)
        self.assertEqual(env["eldercare.statement"].search([]).partner_id, self.elder_a)
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.alert_c.with_user(self.official_a).read(["name"])
        # the area choice cannot widen the subtree
        self.assertEqual(self._totals(self.official_a, self.street)["alerts"], 3)

    def test_official_is_read_only_and_sees_no_personal_data(self):
        elder = self.elder_a.with_user(self.official_a)
        self.assertEqual(elder.age_band, "80_89")
        for field in ("id_number", "birthdate", "allergies", "relative_ids"):
            with self.assertRaises(AccessError), mute_logger("odoo.models"):
                elder.read([field])
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.alert_c.with_user(self.official_district).write({"result": "x"})
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.env["eldercare.alert"].with_user(self.official_district).create(
                {"elder_id": self.elder_a.id}
            )

    def test_pdf_and_xlsx(self):
        summary = (
            self.env["eldercare.gov.summary"]
            .with_user(self.official_street)
            .create({"month": MONTH})
        )
        html = (
            self.env["ir.actions.report"]
            .with_user(self.official_street)
            ._render_qweb_html(
                "eldercare_government.action_report_gov_summary", summary.ids
            )[0]
            .decode()
        )
        self.assertIn('class="o_total_alerts">4<', html)
        self.assertNotIn("赵桂兰", html)
        self.authenticate("gov_street", "gov_street")
        response = self.url_open(f"/eldercare/government/summary/{summary.id}.xlsx")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"PK"))
        # another official cannot download it
        self.authenticate("gov_b", "gov_b")
        with mute_logger("odoo.http"):
            response = self.url_open(f"/eldercare/government/summary/{summary.id}.xlsx")
        self.assertNotEqual(response.status_code, 200)
