from datetime import date, datetime

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install", "eldercare_tour")
class TestEldercareBaseTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = new_test_user(
            cls.env,
            login="tour_operator",
            password="tour_operator",
            groups="base.group_user,eldercare_base.group_eldercare_operator",
        )
        city = cls.env["eldercare.area"].create({"name": "游客市", "level": "city"})
        community = cls.env["eldercare.area"].create(
            {"name": "游客社区", "level": "community", "parent_id": city.id}
        )
        cls.elder = cls.env["res.partner"].create(
            {
                "name": "游客测试老人",
                "is_elder": True,
                "community_id": community.id,
                "birthdate": date(1940, 5, 6),
                "allergies": "青霉素过敏",
                "elder_phone_ids": [Command.create({"number": "13512340000"})],
                "relative_ids": [
                    Command.create(
                        {
                            "name": "游客儿子",
                            "relation": "son",
                            "phone": "13912340000",
                            "work_unit": "北京市第三建筑公司",
                        }
                    )
                ],
            }
        )
        provider = cls.env["res.partner"].create(
            {
                "name": "游客测试服务商",
                "is_company": True,
                "is_eldercare_provider": True,
            }
        )
        product = cls.env.ref("eldercare_base.product_service_plumbing")
        contract = cls.env["eldercare.provider.contract"].create(
            {
                "name": "HT-TOUR",
                "provider_id": provider.id,
                "date_start": date(2020, 1, 1),
                "area_ids": [Command.set(community.ids)],
                "line_ids": [
                    Command.create({"product_id": product.id, "price_unit": 66})
                ],
            }
        )
        contract.action_activate()
        cls.order = cls.env["eldercare.work.order"].create(
            {
                "elder_id": cls.elder.id,
                "product_id": product.id,
                "date_scheduled": datetime(2030, 1, 1, 2),
            }
        )

    def test_elder_file_tour(self):
        self.start_tour(
            "/odoo/action-eldercare_base.res_partner_elder_action",
            "eldercare_base_elder_file_tour",
            login="tour_operator",
        )

    def test_work_order_tour(self):
        self.start_tour(
            f"/odoo/action-eldercare_base.eldercare_work_order_action/{self.order.id}",
            "eldercare_base_work_order_tour",
            login="tour_operator",
        )
        self.assertEqual(self.order.state, "assigned")
        self.assertEqual(self.order.price_unit, 66)
