import re

from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.eldercare_family.tests.common import FamilyCommon


@tagged("post_install", "-at_install")
class TestPortalAcceptStopsCascade(HttpCase, FamilyCommon):
    """A relative who accepts in the family portal is the cascade's answer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.elder_a.relative_ids = [
            Command.create(
                {"name": "王小妹", "relation": "daughter", "phone": "13911112222"}
            )
        ]
        cls.alert = cls.env["eldercare.alert"].create({"elder_id": cls.elder_a.id})

    def _accept(self):
        self.authenticate(self.relative_login, "fam_relative_pw")
        page = self.url_open(f"/my/family/{self.elder_a.id}").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return self.url_open(
            f"/my/family/alert/{self.alert.id}/accept", data={"csrf_token": csrf}
        )

    def test_portal_acceptance_stops_the_running_cascade(self):
        self.alert._eldercare_cascade_start()
        self.assertEqual(self.alert.cascade_state, "running")
        first = self.alert.cascade_attempt_ids
        self.assertEqual(len(first), 1)
        self.assertTrue(first.request_id, "the cascade queued its first call")
        response = self._accept()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.alert.cascade_state, "accepted")
        accepted = self.alert.cascade_accepted_id
        self.assertEqual(accepted.via, "portal")
        self.assertEqual(accepted.relative_id, self.son)
        self.assertEqual(first.result, "stopped", "the call in progress is ended")
        self.alert._eldercare_cascade_advance()
        self.assertEqual(
            self.alert.cascade_attempt_ids,
            first | accepted,
            "nobody else is called after the portal acceptance",
        )

    def test_without_cascade_the_acceptance_is_only_noted(self):
        self._accept()
        self.assertFalse(self.alert.cascade_state)
        self.assertTrue(
            self.alert.message_ids.filtered(
                lambda m: "accepted the call-out" in (m.body or "")
            )
        )
