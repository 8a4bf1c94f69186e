from odoo.tests import new_test_user, tagged

from .common import EldercareEmergencyCase


@tagged("post_install", "-at_install")
class TestPendingPopups(EldercareEmergencyCase):
    """A screen that starts gets the popups of the alarms nobody has taken."""

    def _pending(self, user):
        payloads = self.Alert.with_user(user).get_pending_popups()
        return [payload["alert"]["id"] for payload in payloads]

    def test_operator_screen_shows_untaken_alarms_after_a_reload(self):
        older = self._new_alert(type_id=self.type_fall.id)
        newer = self._new_alert()
        taken = self._new_alert()
        taken.with_user(self.operator2).action_take()
        pending = self._pending(self.operator)
        self.assertIn(older.id, pending)
        self.assertIn(newer.id, pending)
        self.assertNotIn(taken.id, pending, "a taken alarm no longer pops up")
        self.assertLess(pending.index(newer.id), pending.index(older.id))
        payload = self.Alert.with_user(self.operator).get_pending_popups()[0]
        self.assertEqual(payload["elder"]["name"], "Zhang Guiying")

    def test_only_the_users_an_alarm_pops_up_for_get_them(self):
        alert = self._new_alert()
        self.assertEqual(self._pending(self.operator_off), [])
        self.assertEqual(self._pending(self.supervisor), [])
        employee = new_test_user(
            self.env, login="ec_plain_employee", groups="base.group_user"
        )
        self.assertEqual(self._pending(employee), [])
        # nobody on duty: supervisors get the alarm on their screens
        self.env["res.users"].search(
            [("eldercare_on_duty", "=", True)]
        ).eldercare_on_duty = False
        self.assertIn(alert.id, self._pending(self.supervisor))
