from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestI18n(TransactionCase):
    def test_zh_cn_terms_load(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["eldercare_base"], ["zh_CN"])
        env = self.env(context=dict(self.env.context, lang="zh_CN"))
        self.assertEqual(env.ref("eldercare_base.menu_eldercare_root").name, "养老服务")
        self.assertEqual(
            env.ref("eldercare_base.group_eldercare_operator").name, "接线员"
        )
        labels = dict(
            env["eldercare.work.order"]._fields["state"]._description_selection(env)
        )
        self.assertEqual(labels["assigned"], "已派单")
        self.assertEqual(
            env["res.partner"]
            ._fields["living_situation"]
            .get_description(env)["string"],
            "居住情况",
        )
