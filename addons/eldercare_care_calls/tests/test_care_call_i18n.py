from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestCareCallI18n(TransactionCase):
    def test_zh_cn_terms_load(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["eldercare_care_calls"], ["zh_CN"]
        )
        env = self.env(context=dict(self.env.context, lang="zh_CN"))
        self.assertEqual(
            env.ref("eldercare_care_calls.eldercare_care_call_menu").name, "关怀电话"
        )
        kinds = dict(
            env["eldercare.care.call"]._fields["kind"]._description_selection(env)
        )
        self.assertEqual(kinds["survey"], "满意度回访")
        self.assertEqual(
            env.ref("eldercare_care_calls.mail_activity_type_care_call_followup").name,
            "关怀电话跟进",
        )
