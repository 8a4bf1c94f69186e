from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import EldercarePbxCase


@tagged("post_install", "-at_install", "eldercare_asterisk")
class TestViews(EldercarePbxCase):
    def test_operator_views(self):
        Call = self.env["eldercare.call"].with_user(self.operator)
        views = Call.get_views(
            [
                (False, "list"),
                (False, "form"),
                (False, "search"),
                (False, "pivot"),
                (False, "graph"),
            ]
        )
        self.assertEqual(
            set(views["views"]), {"list", "form", "search", "pivot", "graph"}
        )
        pivot = etree.fromstring(views["views"]["pivot"]["arch"])
        self.assertTrue(pivot.xpath("//field[@name='answered_60_rate']"))

        elder_form = self.env.ref("eldercare_base.res_partner_view_form_elder")
        arch = (
            self.env["res.partner"]
            .with_user(self.operator)
            .get_views([(elder_form.id, "form")])["views"]["form"]["arch"]
        )
        doc = etree.fromstring(arch)
        self.assertTrue(doc.xpath("//header/button[@name='action_eldercare_call']"))
        self.assertTrue(
            doc.xpath(
                "//field[@name='relative_ids']//button[@name='action_eldercare_call']"
            )
        )
        self.assertTrue(
            doc.xpath(
                "//field[@name='elder_phone_ids']//button"
                "[@name='action_eldercare_call']"
            )
        )
        # operators read the call log of an elder
        self.assertEqual(self.elder.with_user(self.operator).eldercare_call_count, 0)

    def test_odoo_holds_no_ami_secret_dialer_settings_admin_only(self):
        """The dialer (bridge) alone logs in to Asterisk: Odoo has no AMI
        secret field any more; its dialer settings are for administrators."""
        ecadmin = new_test_user(
            self.env,
            login="ec_pbx_ecadmin",
            groups="base.group_user,eldercare_base.group_eldercare_admin",
        )
        settings = self.env["res.config.settings"]
        fields = settings.fields_get()
        self.assertFalse([name for name in fields if "ami" in name.split("_")])
        self.assertIn("eldercare_dial_max_channels", fields)
        self.assertNotIn(
            "eldercare_dial_max_channels", settings.with_user(ecadmin).fields_get()
        )
        settings.create({"eldercare_dial_max_channels": 3}).execute()
        self.assertEqual(self.env["eldercare.dial.request"]._max_channels(), 3)

    def test_simulate_wizard_view(self):
        supervisor = new_test_user(
            self.env,
            login="ec_pbx_supervisor",
            groups="base.group_user,eldercare_base.group_eldercare_supervisor",
        )
        views = (
            self.env["eldercare.call.simulate"]
            .with_user(supervisor)
            .get_views([(False, "form")])
        )
        self.assertIn("action_simulate", views["views"]["form"]["arch"])

    def test_zh_cn_translations_load(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["eldercare_asterisk"], ["zh_CN"], overwrite=True
        )
        Call = self.env["eldercare.call"].with_context(lang="zh_CN")
        self.assertEqual(
            Call.fields_get(["caller_number"])["caller_number"]["string"], "来电号码"
        )
        menu = self.env.ref("eldercare_asterisk.eldercare_call_simulate_menu")
        self.assertEqual(menu.with_context(lang="zh_CN").name, "模拟来电")

    def test_operators_only_add_notes_to_the_call_log(self):
        call = self.env["eldercare.call"].create(
            {"linkedid": "notes-1", "caller_number": "13600000009"}
        )
        as_operator = call.with_user(self.operator)
        as_operator.note = "Asked for her son's number"
        self.assertEqual(call.note, "Asked for her son's number")
        with self.assertRaises(AccessError):
            as_operator.write({"caller_number": "110"})

    def test_operators_reach_the_call_log_menu(self):
        visible = self.env["ir.ui.menu"].with_user(self.operator)._visible_menu_ids()
        menu = self.env.ref("eldercare_asterisk.eldercare_call_menu")
        while menu:
            self.assertIn(menu.id, visible, menu.complete_name)
            menu = menu.parent_id
        config = self.env.ref("eldercare_base.menu_eldercare_config")
        self.assertNotIn(config.id, visible)
