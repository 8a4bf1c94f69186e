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
class TestAsteriskRoleScreens(RoleScreensMixin, TransactionCase):
    """Supervisors reach the escalation chain; operators do not edit it."""

    def test_escalation_chain_for_supervisors(self):
        supervisor = new_test_user(
            self.env,
            login="ast_role_supervisor",
            groups="eldercare_base.group_eldercare_supervisor",
        )
        operator = new_test_user(
            self.env,
            login="ast_role_operator",
            groups="eldercare_base.group_eldercare_operator",
        )
        self.assertScreen(
            supervisor, "eldercare_asterisk.eldercare_escalation_step_menu"
        )
        self.assertScreen(
            operator, "eldercare_asterisk.eldercare_escalation_step_menu", False
        )
