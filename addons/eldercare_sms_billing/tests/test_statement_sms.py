from freezegun import freeze_time

from odoo.fields import Command
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.eldercare_billing.tests.common import EldercareBillingDataMixin
from odoo.addons.eldercare_sms.tests.common import configure_kannel


@tagged("post_install", "-at_install")
class TestStatementSms(EldercareBillingDataMixin, AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True), su=True)
        configure_kannel(cls.env)
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(
            ["eldercare_sms_billing"], ["zh_CN"], overwrite=True
        )
        cls._setup_billing_data()
        cls._setup_month_orders()
        cls.elder_dibao.write({"mobile": "13944448888", "lang": "zh_CN"})
        cls.elder_normal.write(
            {
                "mobile": "13944445555",
                "lang": "en_US",
                "relative_ids": [
                    Command.create(
                        {"name": "Zhao Gang", "relation": "son", "phone": "13944446666"}
                    ),
                    Command.create(
                        {
                            "name": "Neighbour Qian",
                            "relation": "neighbour",
                            "phone": "13944447777",
                            "is_emergency_contact": False,
                        }
                    ),
                ],
            }
        )

    @freeze_time("2025-04-01 02:00:00")  # 10:00 in Shanghai
    def test_month_end_texts_elder_and_family_once(self):
        run = self.env["eldercare.billing.run"]._get_or_create(
            self.period, self.env.company
        )
        run._run()
        statement = self.env["eldercare.statement"].search(
            [("partner_id", "=", self.elder_normal.id), ("period", "=", self.period)]
        )
        self.assertEqual(statement.state, "invoiced")
        sms = self.env["sms.sms"].search(
            [
                ("eldercare_res_model", "=", "eldercare.statement"),
                ("eldercare_res_id", "=", statement.id),
            ]
        )
        self.assertEqual(
            sorted(sms.mapped("number")),
            ["13944445555", "13944446666"],
            "the elder and the emergency contact, not the neighbour",
        )
        body = sms.filtered(lambda s: s.number == "13944445555").body
        self.assertIn(f"the {self.period} statement {statement.name}", body)
        self.assertIn("165.00", body, "the amount to pay")
        self.assertFalse(any(sms.mapped("eldercare_emergency")))
        dibao = self.env["sms.sms"].search([("number", "=", "13944448888")])
        self.assertIn("月度账单", dibao.body, "a Chinese-speaking elder reads Chinese")
        # a rerun of the month end texts nobody again
        run._run()
        statement._eldercare_sms_statement_ready()
        self.assertEqual(
            self.env["sms.sms"].search_count(
                [
                    ("eldercare_res_model", "=", "eldercare.statement"),
                    ("eldercare_res_id", "=", statement.id),
                ]
            ),
            2,
        )
