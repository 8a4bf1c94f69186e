from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.eldercare_family.tests.common import FamilyCommon


@tagged("post_install", "-at_install")
class TestFamilyStatements(HttpCase, FamilyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Statement = cls.env["eldercare.statement"]
        cls.statement = Statement.create(
            {
                "partner_id": cls.elder_a.id,
                "period": "2026-11",
                "community_id": cls.community_a.id,
            }
        )
        cls.statement.action_confirm()
        cls.draft = Statement.create(
            {"partner_id": cls.elder_a.id, "period": "2026-12"}
        )
        cls.other = Statement.create(
            {"partner_id": cls.elder_b.id, "period": "2026-11"}
        )
        cls.other.action_confirm()

    def test_statements_on_the_page(self):
        self.authenticate(self.relative_login, "fam_relative_pw")
        page = self.url_open(f"/my/family/{self.elder_a.id}").text
        self.assertIn(self.statement.name, page)
        self.assertIn(f"/my/family/statement/{self.statement.id}/pdf", page)
        self.assertNotIn(self.draft.name, page)
        self.assertNotIn(self.other.name, page)

    def test_statement_pdf_own_only(self):
        self.authenticate(self.relative_login, "fam_relative_pw")
        response = self.url_open(f"/my/family/statement/{self.statement.id}/pdf")
        self.assertEqual(response.status_code, 200)
        for statement in (self.other, self.draft):
            with mute_logger("odoo.http"):
                response = self.url_open(f"/my/family/statement/{statement.id}/pdf")
            self.assertEqual(response.status_code, 404)
            self.assertNotIn("李德明", response.text)
        # the back-office report and the elder's own portal are not theirs
        with mute_logger("odoo.http"):
            response = self.url_open(
                "/report/html/eldercare_billing.report_statement/"
                f"{self.statement.id}"
            )
        self.assertNotEqual(response.status_code, 200)
        with mute_logger("odoo.http"):
            response = self.url_open(f"/my/statements/{self.statement.id}")
        self.assertNotIn(self.statement.name, response.text)
