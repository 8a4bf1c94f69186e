from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import EldercareEmergencyCase


@tagged("post_install", "-at_install")
class TestAlertReport(EldercareEmergencyCase):
    def test_response_times_and_answer_rates(self):
        now = fields.Datetime.now()

        def alert_at(minutes_ago, **stamps):
            received = now - timedelta(minutes=minutes_ago)
            vals = {"received_at": received}
            for field, seconds in stamps.items():
                vals[field] = received + timedelta(seconds=seconds)
            return self._new_alert(**vals)

        quick = alert_at(60, answered_at=30, confirmed_at=60, dispatched_at=120)
        slow = alert_at(50, answered_at=90, confirmed_at=100)
        late = alert_at(40, answered_at=200)
        never = alert_at(5)  # still unanswered after 5 minutes: counts as missed
        ringing = self._new_alert(received_at=now + timedelta(minutes=5))
        alerts = quick | slow | late | never | ringing
        # the stored per-alert values
        self.assertEqual(quick.answer_seconds, 30)
        self.assertTrue(quick.answered_within_60 and quick.answered_within_180)
        self.assertFalse(slow.answered_within_60)
        self.assertTrue(slow.answered_within_180)
        self.env.flush_all()
        Report = self.env["eldercare.alert.report"].with_user(self.supervisor)
        [(count, answer, dispatch, rate_60, rate_180)] = Report._read_group(
            [("alert_id", "in", alerts.ids)],
            [],
            [
                "__count",
                "answer_seconds:avg",
                "dispatch_seconds:avg",
                "answered_60_rate:avg",
                "answered_180_rate:avg",
            ],
        )
        self.assertEqual(count, 5)
        # averages only over the alerts that went through the step
        self.assertAlmostEqual(answer, (30 + 90 + 200) / 3, places=1)
        self.assertAlmostEqual(dispatch, 120, places=1)
        # quick, slow, late, never count (ringing is still within its limit)
        self.assertAlmostEqual(rate_60, 25.0, places=1)
        self.assertAlmostEqual(rate_180, 50.0, places=1)
        rates = self.Alert._eldercare_answer_rates([("id", "in", alerts.ids)])
        self.assertEqual((rates["within_60"], rates["within_180"]), (25.0, 50.0))
        self.assertEqual((rates["target_60"], rates["target_180"]), (97.5, 99.0))
