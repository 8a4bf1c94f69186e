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
class TestEmergencyRoleScreens(RoleScreensMixin, TransactionCase):
    """What the emergency readme promises each role, opened as that role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for role in ("operator", "supervisor", "worker"):
            setattr(
                cls,
                role,
                new_test_user(
                    cls.env,
                    login=f"em_role_{role}",
                    groups=f"eldercare_base.group_eldercare_{role}",
                ),
            )

    def test_supervisor_screens(self):
        for xmlid in (
            "eldercare_emergency.eldercare_alert_dashboard_menu",
            "eldercare_emergency.eldercare_alert_menu",
            "eldercare_emergency.eldercare_alert_type_menu",
            "eldercare_emergency.eldercare_alert_response_menu",
            "eldercare_emergency.eldercare_alert_analysis_menu",
        ):
            self.assertScreen(self.supervisor, xmlid)

    def test_operator_screens(self):
        for xmlid in (
            "eldercare_emergency.eldercare_alert_dashboard_menu",
            "eldercare_emergency.eldercare_alert_menu",
        ):
            self.assertScreen(self.operator, xmlid)
        self.assertScreen(
            self.operator, "eldercare_emergency.eldercare_alert_type_menu", False
        )

    def test_worker_screens(self):
        self.assertScreen(self.worker, "eldercare_emergency.eldercare_alert_menu")
        self.assertScreen(
            self.worker, "eldercare_emergency.eldercare_alert_dashboard_menu", False
        )
        self.assertScreen(
            self.worker, "eldercare_emergency.eldercare_alert_type_menu", False
        )
