import importlib.util
import os
from datetime import date

from odoo import Command
from odoo.tests import TransactionCase, new_test_user

from odoo.addons.base.tests.common import BaseCommon

BENCHMARKS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "benchmarks")


def load_benchmark(testcase, name):
    """The module ``benchmarks/<name>.py`` of the repository; skips
    ``testcase`` when the addons run without the repository around them."""
    path = os.path.join(BENCHMARKS, f"{name}.py")
    if not os.path.exists(path):
        testcase.skipTest(f"benchmarks/{name}.py not found")
    spec = importlib.util.spec_from_file_location(name, path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def eldercare_area(env, name, level="community", parent=None):
    """An area of ``level`` under ``parent`` (an area record, or none)."""
    return env["eldercare.area"].create(
        {"name": name, "level": level, "parent_id": parent.id if parent else False}
    )


def eldercare_user(env, login, name, *roles, **values):
    """A test user holding ``roles``: eldercare role names ("operator",
    "supervisor", "worker", "provider", ...) or full group xml ids
    ("base.group_portal"); ``values`` go to the create like in
    :func:`odoo.tests.new_test_user`."""
    groups = ",".join(
        role if "." in role else f"eldercare_base.group_eldercare_{role}"
        for role in roles
    )
    return new_test_user(env, login=login, name=name, groups=groups, **values)


class EldercareCommon(BaseCommon):
    """Areas, elders, providers and contracts shared by the tests."""

    @classmethod
    def _archive_recurring_needs(cls):
        """Only the recurring needs a test creates count (demo data may hold
        others); archived without generating anything."""
        cls.env["eldercare.recurring.need"].search([]).with_context(
            eldercare_no_generate=True
        ).active = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.city = eldercare_area(cls.env, "测试市", "city")
        cls.district = eldercare_area(cls.env, "测试区", "district", cls.city)
        cls.street = eldercare_area(cls.env, "测试街道", "street", cls.district)
        cls.community_a = eldercare_area(cls.env, "甲社区", "community", cls.street)
        cls.community_b = eldercare_area(cls.env, "乙社区", "community", cls.street)
        cls.street_2 = eldercare_area(cls.env, "另一街道", "street", cls.district)
        cls.community_c = eldercare_area(cls.env, "丙社区", "community", cls.street_2)
        cls.category_alone = cls.env.ref("eldercare_base.elder_category_alone")
        cls.nanny = cls.env.ref("eldercare_base.product_service_nanny")
        cls.plumbing = cls.env.ref("eldercare_base.product_service_plumbing")
        cls.gas = cls.env.ref("eldercare_base.product_service_gas_delivery")

        Partner = cls.env["res.partner"]
        cls.elder_a = Partner.create(
            {
                "name": "张秀英",
                "is_elder": True,
                "elder_gender": "female",
                "birthdate": date(1945, 3, 12),
                "community_id": cls.community_a.id,
                "elder_category_id": cls.category_alone.id,
                "street": "和平里三区12号楼2单元301",
                "mobile": "13900001111",
                "elder_phone_ids": [
                    Command.create({"number": "13700137000", "phone_type": "mobile"}),
                    Command.create({"number": "010-6552 1234", "phone_type": "home"}),
                ],
                "medicine_ids": [
                    Command.create(
                        {
                            "name": "硝苯地平缓释片",
                            "dose": "10mg",
                            "schedule": "每日两次",
                        }
                    )
                ],
                "relative_ids": [
                    Command.create(
                        {
                            "name": "王建国",
                            "relation": "son",
                            "phone": "13911112222",
                            "work_unit": "北京市第一机床厂",
                        }
                    )
                ],
                "allergies": "青霉素过敏",
            }
        )
        cls.elder_b = Partner.create(
            {
                "name": "李德明",
                "is_elder": True,
                "elder_gender": "male",
                "birthdate": date(1938, 11, 2),
                "community_id": cls.community_b.id,
            }
        )
        cls.elder_c = Partner.create(
            {
                "name": "赵桂兰",
                "is_elder": True,
                "elder_gender": "female",
                "birthdate": date(1950, 7, 20),
                "community_id": cls.community_c.id,
            }
        )

        cls.provider_1 = Partner.create(
            {
                "name": "安心家政服务有限公司",
                "is_company": True,
                "is_eldercare_provider": True,
                "enterprise_nature": "private",
            }
        )
        cls.provider_2 = Partner.create(
            {
                "name": "邻里修缮服务社",
                "is_company": True,
                "is_eldercare_provider": True,
                "enterprise_nature": "collective",
            }
        )
        Contract = cls.env["eldercare.provider.contract"]
        # provider 1 covers the whole first street (communities A and B)
        cls.contract_1 = Contract.create(
            {
                "name": "HT-1",
                "provider_id": cls.provider_1.id,
                "date_start": date(2020, 1, 1),
                "area_ids": [Command.set(cls.street.ids)],
                "line_ids": [
                    Command.create({"product_id": cls.nanny.id, "price_unit": 45.0}),
                    Command.create({"product_id": cls.plumbing.id, "price_unit": 80.0}),
                    Command.create({"product_id": cls.gas.id, "price_unit": 18.0}),
                ],
            }
        )
        # provider 2 covers only community A, cheaper plumbing
        cls.contract_2 = Contract.create(
            {
                "name": "HT-2",
                "provider_id": cls.provider_2.id,
                "date_start": date(2020, 1, 1),
                "area_ids": [Command.set(cls.community_a.ids)],
                "line_ids": [
                    Command.create({"product_id": cls.plumbing.id, "price_unit": 60.0}),
                ],
            }
        )
        (cls.contract_1 | cls.contract_2).action_activate()

    @classmethod
    def _user(cls, login, groups, **kw):
        return new_test_user(cls.env, login=login, groups=groups, **kw)


class RoleScreensCase(TransactionCase):
    """Open each screen a readme promises, as the role it promises it to.

    One user per eldercare role (``cls.operator``, ``cls.supervisor``,
    ``cls.worker``, ``cls.finance``), logins prefixed by ``ROLE_LOGIN_PREFIX``."""

    ROLES = ("operator", "supervisor", "worker", "finance")
    ROLE_LOGIN_PREFIX = "ec_role"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for role in cls.ROLES:
            user = new_test_user(
                cls.env,
                login=f"{cls.ROLE_LOGIN_PREFIX}_{role}",
                groups=f"eldercare_base.group_eldercare_{role}",
            )
            setattr(cls, role, user)

    def assertScreen(self, user, menu_xmlid, visible=True):
        """The user reaches the menu (it and all its parents are visible to
        them) and can read what its action opens; or, ``visible=False``, the
        user cannot reach it."""
        menu = self.env.ref(menu_xmlid)
        visible_ids = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
        chain = menu
        while chain[-1:].parent_id:
            chain |= chain[-1:].parent_id
        reachable = all(m.id in visible_ids for m in chain)
        if not visible:
            self.assertFalse(reachable, f"{user.login} reaches {menu_xmlid}")
            return
        self.assertTrue(
            reachable,
            f"{user.login} cannot reach {menu_xmlid}: "
            f"{[m.name for m in chain if m.id not in visible_ids]} hidden",
        )
        action = menu.action.sudo()
        if action._name == "ir.actions.act_window":
            model = self.env[action.res_model].with_user(user)
            self.assertTrue(model.has_access("read"), f"{user.login}: {model._name}")
            model.search_read([], ["display_name"], limit=1)
