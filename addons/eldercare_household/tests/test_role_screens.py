from odoo.tests import TransactionCase, new_test_user, tagged


class RoleScreensMixin:
    """Open a screen as a user: its menu is visible and its action loads."""

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


@tagged("post_install", "-at_install")
class TestHouseholdRoleScreens(RoleScreensMixin, TransactionCase):
    """What the household readme promises each role, opened as that role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for role in ("operator", "supervisor", "worker"):
            setattr(
                cls,
                role,
                new_test_user(
                    cls.env,
                    login=f"hh_role_{role}",
                    groups=f"eldercare_base.group_eldercare_{role}",
                ),
            )

    def test_supervisor_screens(self):
        for xmlid in (
            "eldercare_household.eldercare_service_request_menu",
            "eldercare_household.eldercare_work_order_household_menu",
            "eldercare_household.eldercare_service_key_menu",
        ):
            self.assertScreen(self.supervisor, xmlid)

    def test_operator_screens(self):
        for xmlid in (
            "eldercare_household.eldercare_service_request_menu",
            "eldercare_household.eldercare_work_order_household_menu",
        ):
            self.assertScreen(self.operator, xmlid)
        self.assertScreen(
            self.operator, "eldercare_household.eldercare_service_key_menu", False
        )
