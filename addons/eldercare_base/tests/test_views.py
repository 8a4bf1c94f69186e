from datetime import datetime

from odoo import Command
from odoo.tests import Form, tagged

from .common import EldercareCommon


@tagged("post_install", "-at_install")
class TestViews(EldercareCommon):
    """Every role can open the screens it has menus for."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = "base.group_user,eldercare_base.group_eldercare_"
        cls.users = {
            role: cls._user(
                f"view_{role}",
                groups + role,
                eldercare_area_ids=[Command.set(cls.street.ids)],
            )
            for role in ("operator", "worker", "supervisor", "finance", "admin")
        }
        cls.order = cls.env["eldercare.work.order"].create(
            {
                "elder_id": cls.elder_a.id,
                "product_id": cls.plumbing.id,
                "provider_id": cls.provider_1.id,
                "date_scheduled": datetime(2026, 12, 1, 2),
            }
        )

    def test_elder_screens_per_role(self):
        for role, user in self.users.items():
            with self.subTest(role=role):
                Partner = self.env["res.partner"].with_user(user)
                views = Partner.get_views(
                    [
                        (
                            self.env.ref(
                                "eldercare_base.res_partner_view_kanban_elder"
                            ).id,
                            "kanban",
                        ),
                        (
                            self.env.ref(
                                "eldercare_base.res_partner_view_list_elder"
                            ).id,
                            "list",
                        ),
                        (
                            self.env.ref(
                                "eldercare_base.res_partner_view_form_elder"
                            ).id,
                            "form",
                        ),
                    ],
                    {
                        "search_view_id": self.env.ref(
                            "eldercare_base.res_partner_view_search_elder"
                        ).id
                    },
                )
                form_arch = views["views"]["form"]["arch"]
                if role == "finance":
                    self.assertNotIn('name="allergies"', form_arch)
                else:
                    self.assertIn('name="allergies"', form_arch)
                form = Form(
                    self.elder_a.with_user(user),
                    view="eldercare_base.res_partner_view_form_elder",
                )
                self.assertEqual(form.name, "张秀英")
                self.assertEqual(len(form.relative_ids), 1)

    def test_work_order_and_need_screens(self):
        for role in ("operator", "worker", "supervisor", "admin"):
            with self.subTest(role=role):
                user = self.users[role]
                form = Form(self.order.with_user(user))
                self.assertEqual(form.provider_id, self.provider_1)
                need_form = Form(self.env["eldercare.recurring.need"].with_user(user))
                need_form.elder_id = self.elder_a
                need_form.product_id = self.nanny
                need_form.freq = "weekly"
                need_form.tue = True
                need = need_form.save()
                self.assertEqual(need.rrule, "FREQ=WEEKLY;INTERVAL=1;BYDAY=TU")
        form = Form(self.order.with_user(self.users["finance"]))
        self.assertEqual(form.amount_total, 80.0)

    def test_work_order_form_proposes_eligible_providers(self):
        form = Form(self.env["eldercare.work.order"].with_user(self.users["operator"]))
        form.elder_id = self.elder_a
        form.product_id = self.plumbing
        self.assertEqual(
            set(form.eligible_provider_ids.ids),
            {self.provider_1.id, self.provider_2.id},
        )
        self.assertEqual(
            [line.price_unit for line in form.eligible_line_ids], [60.0, 80.0]
        )
        form.provider_id = self.provider_2
        self.assertEqual(form.price_unit, 60.0)
        order = form.save()
        self.assertEqual(order.amount_total, 60.0)

    def test_provider_contract_screens(self):
        user = self.users["supervisor"]
        form = Form(self.env["eldercare.provider.contract"].with_user(user))
        form.name = "HT-NEW"
        form.provider_id = self.provider_2
        with form.line_ids.new() as line:
            line.product_id = self.gas
        contract = form.save()
        self.assertEqual(contract.line_ids.price_unit, self.gas.lst_price)
        contract.area_ids = self.community_b
        contract.action_activate()
        self.assertEqual(contract.state, "active")

    def test_elder_file_from_contacts(self):
        user = self.users["operator"]
        form = Form(self.elder_a.with_user(user))  # the standard contact form
        self.assertEqual(form.name, "张秀英")
        action = self.elder_a.with_user(user).action_open_elder_file()
        self.assertEqual(
            action["views"][0][0],
            self.env.ref("eldercare_base.res_partner_view_form_elder").id,
        )
