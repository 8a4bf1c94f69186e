from datetime import datetime

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import EldercareCommon

OPERATOR = "base.group_user,eldercare_base.group_eldercare_operator"
WORKER = "base.group_user,eldercare_base.group_eldercare_worker"
FINANCE = "base.group_user,eldercare_base.group_eldercare_finance"
PROVIDER = "base.group_portal,eldercare_base.group_eldercare_provider"


@tagged("post_install", "-at_install")
class TestSecurity(EldercareCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = cls._user("sec_operator", OPERATOR)
        cls.finance = cls._user("sec_finance", FINANCE)
        cls.worker_a = cls._user(
            "sec_worker_a",
            WORKER,
            eldercare_area_ids=[Command.set(cls.community_a.ids)],
        )
        cls.worker_street = cls._user(
            "sec_worker_street",
            WORKER,
            eldercare_area_ids=[Command.set(cls.street.ids)],
        )
        cls.worker_none = cls._user("sec_worker_none", WORKER)
        cls.employee = cls._user("sec_employee", "base.group_user")
        contact = cls.env["res.partner"].create(
            {"name": "安心家政调度员", "parent_id": cls.provider_1.id}
        )
        cls.provider_user = cls._user("sec_provider", PROVIDER, partner_id=contact.id)
        cls.staff_user = cls._user("sec_staff", PROVIDER)
        cls.env["eldercare.provider.staff"].create(
            {
                "name": "陈师傅",
                "provider_id": cls.provider_2.id,
                "user_id": cls.staff_user.id,
            }
        )
        WorkOrder = cls.env["eldercare.work.order"]
        vals = {
            "date_scheduled": datetime(2026, 12, 1, 2),
            "product_id": cls.plumbing.id,
        }
        cls.order_a1 = WorkOrder.create(
            {**vals, "elder_id": cls.elder_a.id, "provider_id": cls.provider_1.id}
        )
        cls.order_a2 = WorkOrder.create(
            {**vals, "elder_id": cls.elder_a.id, "provider_id": cls.provider_2.id}
        )
        cls.order_b1 = WorkOrder.create(
            {**vals, "elder_id": cls.elder_b.id, "provider_id": cls.provider_1.id}
        )
        cls.order_c = WorkOrder.create({**vals, "elder_id": cls.elder_c.id})
        cls.elders = cls.elder_a | cls.elder_b | cls.elder_c
        cls.orders = cls.order_a1 | cls.order_a2 | cls.order_b1 | cls.order_c

    def _visible(self, user, records):
        return records.with_user(user).search([("id", "in", records.ids)])

    # ------------------------------------------------------------ elders
    def test_operator_sees_all_with_health(self):
        self.assertEqual(self._visible(self.operator, self.elders), self.elders)
        elder = self.elder_a.with_user(self.operator)
        self.assertEqual(elder.allergies, "青霉素过敏")
        self.assertEqual(elder.medicine_ids.name, "硝苯地平缓释片")
        self.assertEqual(self._visible(self.operator, self.orders), self.orders)

    def test_worker_sees_own_communities_only(self):
        self.assertEqual(self._visible(self.worker_a, self.elders), self.elder_a)
        self.assertEqual(
            self._visible(self.worker_street, self.elders), self.elder_a | self.elder_b
        )
        self.assertFalse(self._visible(self.worker_none, self.elders))
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.elder_b.with_user(self.worker_a).read(["name"])
        # health data and medicines of their own elders are readable
        self.assertEqual(self.elder_a.with_user(self.worker_a).allergies, "青霉素过敏")
        medicines = self.env["eldercare.medicine"].search([])
        self.assertEqual(
            self._visible(self.worker_a, medicines).partner_id, self.elder_a
        )
        self.assertFalse(self._visible(self.worker_none, medicines))
        # ordinary partners remain visible
        self.assertTrue(self._visible(self.worker_a, self.provider_1))

    def test_worker_relatives_and_numbers(self):
        relatives = self.env["eldercare.relative"].search([])
        self.assertEqual(
            self._visible(self.worker_a, relatives).partner_id, self.elder_a
        )
        phones = self.env["eldercare.phone"].search([])
        self.assertEqual(self._visible(self.worker_a, phones).partner_id, self.elder_a)
        self.assertFalse(self._visible(self.worker_none, phones))
        self.assertEqual(self._visible(self.operator, phones), phones)
        # the worker keeps the files of their elders up to date
        self.elder_a.with_user(self.worker_a).write({"home_phone": "010-6552 1235"})
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.elder_b.with_user(self.worker_a).write({"home_phone": "010-1"})

    def test_worker_work_orders_and_needs(self):
        self.assertEqual(
            self._visible(self.worker_a, self.orders), self.order_a1 | self.order_a2
        )
        self.assertEqual(
            self._visible(self.worker_street, self.orders),
            self.order_a1 | self.order_a2 | self.order_b1,
        )
        need = self.env["eldercare.recurring.need"].create(
            {
                "elder_id": self.elder_b.id,
                "product_id": self.gas.id,
                "date_start": "2026-12-01",
            }
        )
        self.assertFalse(self._visible(self.worker_a, need))
        self.assertEqual(self._visible(self.worker_street, need), need)

    def test_finance_no_health(self):
        self.assertEqual(self._visible(self.finance, self.elders), self.elders)
        elder = self.elder_a.with_user(self.finance)
        self.assertEqual(elder.name, "张秀英")
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            elder.read(["allergies"])
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.env["eldercare.medicine"].with_user(self.finance).search([])
        self.assertEqual(self._visible(self.finance, self.orders), self.orders)
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.order_a1.with_user(self.finance).price_unit = 1.0
        card = self.elder_a.with_user(self.finance)._eldercare_elder_card()
        self.assertEqual(card["medicines"], [])
        self.assertNotIn("allergies", card)

    def test_plain_employee_has_no_eldercare_access(self):
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.env["eldercare.work.order"].with_user(self.employee).search([])
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.elder_a.with_user(self.employee).read(["allergies"])

    # ---------------------------------------------------------- providers
    def test_provider_sees_own_orders_only(self):
        self.assertEqual(
            self._visible(self.provider_user, self.orders),
            self.order_a1 | self.order_b1,
        )
        self.assertEqual(self._visible(self.staff_user, self.orders), self.order_a2)
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.order_a2.with_user(self.provider_user).read(["name"])

    def test_provider_sees_job_details_not_health(self):
        order = self.order_a1.with_user(self.provider_user)
        self.assertEqual(order.elder_name, "张秀英")
        self.assertIn("和平里三区", order.elder_address)
        self.assertEqual(order.elder_phone, "13900001111")
        data = order.read(["elder_id", "product_id", "state", "elder_address"])[0]
        self.assertEqual(data["elder_id"][1], "张秀英")
        self.assertEqual(data["product_id"][0], self.plumbing.id)
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.elder_a.with_user(self.provider_user).read(["name"])
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.env["eldercare.medicine"].with_user(self.provider_user).search([])
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.env["eldercare.relative"].with_user(self.provider_user).search([])
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.env["eldercare.phone"].with_user(self.provider_user).search([])

    def test_provider_progresses_but_cannot_reprice(self):
        self.order_a1.action_assign()
        order = self.order_a1.with_user(self.provider_user)
        order.action_accept()
        order.action_start()
        order.action_done()
        self.assertEqual(self.order_a1.state, "done")
        with self.assertRaisesRegex(AccessError, "price_unit"):
            order.write({"price_unit": 1.0})
        with self.assertRaises(AccessError):
            order.action_verify()
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.env["eldercare.work.order"].with_user(self.provider_user).create(
                {"elder_id": self.elder_a.id, "product_id": self.plumbing.id}
            )

    def test_provider_decline(self):
        self.order_a1.action_assign()
        self.order_a1.with_user(self.provider_user).action_decline(reason="人手不足")
        # handed back: dispatched again, never to the provider who declined
        self.assertNotEqual(self.order_a1.provider_id, self.provider_1)
        self.assertIn(self.provider_1, self.order_a1.refused_provider_ids)
        self.assertFalse(self._visible(self.provider_user, self.order_a1))

    def test_provider_staff_visibility(self):
        staff = self.env["eldercare.provider.staff"].search([])
        self.assertEqual(self._visible(self.staff_user, staff).user_id, self.staff_user)
        self.assertFalse(self._visible(self.provider_user, staff))
        mine = self.env["eldercare.provider.staff"].create(
            {"name": "吴师傅", "provider_id": self.provider_1.id}
        )
        self.assertEqual(self._visible(self.provider_user, staff | mine), mine)

    # ------------------------------------------------------- multi-company
    def test_multi_company(self):
        company_2 = self.env["res.company"].create({"name": "第二养老服务中心"})
        order_2 = self.env["eldercare.work.order"].create(
            {
                "elder_id": self.elder_a.id,
                "product_id": self.nanny.id,
                "company_id": company_2.id,
            }
        )
        self.assertFalse(self._visible(self.operator, order_2))
        # the contracts of the first company do not serve the second one
        self.assertFalse(order_2.eligible_provider_ids)
        with self.assertRaisesRegex(ValidationError, "has no active contract"):
            order_2.provider_id = self.provider_1
        contract_2 = self.env["eldercare.provider.contract"].create(
            {
                "name": "HT-C2",
                "provider_id": self.provider_1.id,
                "company_id": company_2.id,
            }
        )
        need_2 = self.env["eldercare.recurring.need"].create(
            {
                "elder_id": self.elder_a.id,
                "product_id": self.nanny.id,
                "company_id": company_2.id,
                "date_start": "2026-12-01",
            }
        )
        supervisor = self._user(
            "sec_supervisor",
            "base.group_user,eldercare_base.group_eldercare_supervisor",
        )
        self.assertFalse(self._visible(supervisor, contract_2))
        contract_2.line_ids = [
            Command.create({"product_id": self.gas.id, "price_unit": 9})
        ]
        self.assertFalse(self._visible(supervisor, contract_2.line_ids))
        self.assertTrue(self._visible(supervisor, self.contract_1.line_ids))
        staff_2 = self.env["eldercare.provider.staff"].create(
            {
                "name": "异地师傅",
                "provider_id": self.provider_1.id,
                "company_id": company_2.id,
            }
        )
        self.assertFalse(self._visible(supervisor, staff_2))
        staff_2.company_id = False  # shared staff
        self.assertEqual(self._visible(supervisor, staff_2), staff_2)
        self.assertFalse(self._visible(supervisor, need_2))
        self.assertTrue(self._visible(supervisor, self.contract_1))
        self.operator.write({"company_ids": [Command.link(company_2.id)]})
        self.assertEqual(
            order_2.with_user(self.operator)
            .with_context(allowed_company_ids=[self.env.company.id, company_2.id])
            .search([("id", "=", order_2.id)]),
            order_2,
        )
