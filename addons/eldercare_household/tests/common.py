from datetime import timedelta

from odoo import Command, fields
from odoo.tests import new_test_user

from odoo.addons.eldercare_base.tests.common import eldercare_area, eldercare_user

HEALTH_MARKERS = ("青霉素过敏", "糖尿病病史十年", "HEALTH-SECRET-42")

CENTER_TZ = "Asia/Shanghai"


class HouseholdTestMixin:
    """Builds an isolated world: its own areas, service, providers, contracts,
    staff, provider portal users, an elder with health data and call-center
    users.  Nothing relies on demo data."""

    @classmethod
    def _setup_household_world(cls):
        env = cls.env
        # every user of the center works on its local date: contract dates
        # set by the admin and requests matched by an operator agree on
        # "today" at any hour (Odoo's demo admin is on Europe/Brussels time,
        # a user without a time zone on UTC)
        env.user.tz = CENTER_TZ
        cls.city = eldercare_area(env, "测试市", "city")
        cls.district = eldercare_area(env, "测试区", "district", cls.city)
        cls.street = eldercare_area(env, "测试街道", "street", cls.district)
        cls.community = eldercare_area(env, "幸福社区", "community", cls.street)
        cls.community_other = eldercare_area(env, "远郊社区", "community", cls.district)
        # districts are covered through the street, the other community is not
        cls.service = env["product.product"].create(
            {
                "name": "测试开锁",
                "type": "service",
                "is_eldercare_service": True,
                "list_price": 120.0,
            }
        )
        cls.service_unpriced = env["product.product"].create(
            {
                "name": "测试疏通",
                "type": "service",
                "is_eldercare_service": True,
                "list_price": 90.0,
            }
        )
        Partner = env["res.partner"]

        def provider(name):
            return Partner.create(
                {
                    "name": name,
                    "is_company": True,
                    "is_eldercare_provider": True,
                    "email": f"{abs(hash(name)) % 10**8}@provider.example.com",
                }
            )

        cls.provider_a = provider("甲家政服务有限公司")
        cls.provider_b = provider("乙便民服务中心")
        cls.provider_draft = provider("丙未生效合同公司")
        cls.provider_far = provider("丁外区服务公司")
        cls.provider_expired = provider("戊过期合同公司")
        cls.provider_noprice = provider("己未定价公司")
        today = fields.Date.context_today(env["res.partner"])
        cls.contract_a = cls._contract(cls.provider_a, cls.service, 80.0, cls.street)
        cls.contract_b = cls._contract(cls.provider_b, cls.service, 100.0, cls.city)
        cls.contract_draft = cls._contract(
            cls.provider_draft, cls.service, 50.0, cls.city, activate=False
        )
        cls.contract_far = cls._contract(
            cls.provider_far, cls.service, 40.0, cls.community_other
        )
        cls.contract_expired = cls._contract(
            cls.provider_expired,
            cls.service,
            30.0,
            cls.city,
            date_start=today - timedelta(days=60),
            date_end=today - timedelta(days=1),
        )
        cls.contract_noprice = cls._contract(
            cls.provider_noprice, cls.service_unpriced, 0.0, cls.city
        )
        Staff = env["eldercare.provider.staff"]
        cls.staff_a = Staff.create(
            {"name": "王阿姨", "provider_id": cls.provider_a.id, "available": True}
        )
        cls.staff_a_busy = Staff.create(
            {"name": "赵师傅", "provider_id": cls.provider_a.id, "available": False}
        )
        cls.staff_b = Staff.create(
            {"name": "钱师傅", "provider_id": cls.provider_b.id, "available": True}
        )
        # provider portal users: contacts of the provider companies
        cls.user_a = cls._provider_user("provider_a_test", cls.provider_a)
        cls.user_b = cls._provider_user("provider_b_test", cls.provider_b)
        # call-center side
        cls.operator = eldercare_user(
            env, "hh_operator", "接线员小李", "operator", tz=CENTER_TZ
        )
        cls.supervisor = eldercare_user(
            env, "hh_supervisor", "主管老张", "supervisor", tz=CENTER_TZ
        )
        cls.elder = Partner.create(
            {
                "name": "刘秀英",
                "is_elder": True,
                "street": "幸福路12号3单元501",
                "city": "测试市",
                "mobile": "+8613912345678",
                "community_id": cls.community.id,
                "allergies": HEALTH_MARKERS[0],
                "medical_history": HEALTH_MARKERS[1],
                "health_notes": HEALTH_MARKERS[2],
            }
        )
        env["eldercare.phone"].create(
            {
                "partner_id": cls.elder.id,
                "number": "13912345678",
                "phone_type": "mobile",
            }
        )

    @classmethod
    def _contract(
        cls,
        provider,
        product,
        price,
        area,
        activate=True,
        date_start=None,
        date_end=None,
    ):
        contract = cls.env["eldercare.provider.contract"].create(
            {
                "name": f"HT-{provider.name}",
                "provider_id": provider.id,
                "date_start": date_start
                or fields.Date.context_today(provider) - timedelta(days=30),
                "date_end": date_end,
                "area_ids": [Command.set(area.ids)],
                "line_ids": [
                    Command.create({"product_id": product.id, "price_unit": price})
                ],
            }
        )
        if activate:
            contract.action_activate()
        return contract

    @classmethod
    def _provider_user(cls, login, provider):
        contact = cls.env["res.partner"].create(
            {
                "name": f"{provider.name} 调度员",
                "parent_id": provider.id,
                "email": f"{login}@provider.example.com",
            }
        )
        return new_test_user(
            cls.env,
            tz=CENTER_TZ,
            login=login,
            password=login,
            groups="eldercare_base.group_eldercare_provider",
            partner_id=contact.id,
        )

    def _new_request(self, **vals):
        values = {
            "partner_id": self.elder.id,
            "product_id": self.service.id,
            "channel": "operator",
        }
        values.update(vals)
        return (
            self.env["eldercare.service.request"]
            .with_user(self.operator)
            .create(values)
        )

    def _dispatched_order(self, provider=None):
        """A request matched and confirmed to ``provider`` (default A)."""
        provider = provider or self.provider_a
        request = self._new_request()
        request.action_find_providers()
        proposal = request.proposal_ids.filtered(lambda p: p.provider_id == provider)
        proposal.action_confirm()
        return request, request.work_order_id
