from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from .common import EldercareCommon


@tagged("post_install", "-at_install")
class TestReminders(EldercareCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.worker = cls._user(
            "rem_worker", "base.group_user,eldercare_base.group_eldercare_worker"
        )
        # elder_a: born 12 March; elder_b: 2 November
        (cls.elder_a | cls.elder_b).worker_id = cls.worker
        cls.birthday_type = cls.env.ref("eldercare_base.mail_activity_type_birthday")

    def _birthday_activities(self, elders):
        return (
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", elders.ids),
                    ("activity_type_id", "=", self.birthday_type.id),
                ]
            )
        )

    def test_birthday_activity_n_days_ahead(self):
        Partner = self.env["res.partner"]
        with freeze_time("2027-03-08"):
            Partner._cron_eldercare_care_reminders()
            self.assertFalse(self._birthday_activities(self.elder_a), "4 days ahead")
        with freeze_time("2027-03-09"):
            Partner._cron_eldercare_care_reminders()
        activity = self._birthday_activities(self.elder_a)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.date_deadline, date(2027, 3, 12))
        self.assertEqual(activity.user_id, self.worker)
        self.assertIn("张秀英", activity.summary)
        self.assertIn("82", activity.summary)
        self.assertFalse(self._birthday_activities(self.elder_b))

    def test_idempotent_even_after_done(self):
        Partner = self.env["res.partner"]
        with freeze_time("2027-03-10"):
            Partner._cron_eldercare_care_reminders()
            Partner._cron_eldercare_care_reminders()
            activity = self._birthday_activities(self.elder_a)
            self.assertEqual(len(activity), 1)
            activity.action_feedback(feedback="已电话祝寿")
        with freeze_time("2027-03-11"):
            Partner._cron_eldercare_care_reminders()
        self.assertEqual(len(self._birthday_activities(self.elder_a)), 1)

    def test_days_ahead_parameter(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "eldercare_base.reminder_days_ahead", "10"
        )
        self.env["res.partner"]._cron_eldercare_care_reminders(date=date(2027, 3, 2))
        self.assertEqual(len(self._birthday_activities(self.elder_a)), 1)

    def test_no_worker_no_activity(self):
        self.elder_c.worker_id = False
        self.env["res.partner"]._cron_eldercare_care_reminders(date=date(2027, 7, 20))
        self.assertFalse(self._birthday_activities(self.elder_c))

    def test_leap_day_birthday(self):
        elder = self.env["res.partner"].create(
            {
                "name": "闰日老人",
                "is_elder": True,
                "birthdate": date(1944, 2, 29),
                "worker_id": self.worker.id,
            }
        )
        partners = self.env["res.partner"]._eldercare_birthday_partners(
            date(2027, 2, 28)
        )
        self.assertIn(elder, partners)
        partners = self.env["res.partner"]._eldercare_birthday_partners(
            date(2028, 2, 28)
        )
        self.assertNotIn(elder, partners)

    def test_outbound_call_tasks_and_payment_hook(self):
        tasks = self.env["res.partner"]._eldercare_outbound_call_tasks(
            date(2027, 3, 12)
        )
        birthday = [t for t in tasks if t["elder_id"] == self.elder_a.id]
        self.assertEqual(len(birthday), 1)
        self.assertEqual(birthday[0]["type"], "birthday")
        self.assertEqual(birthday[0]["phone"], "+8613700137000")
        self.assertEqual(birthday[0]["date"], "2027-03-12")

        def payment_partners(self_, date=None):
            return self_.env["res.partner"].browse(self.elder_b.ids)

        with patch.object(
            type(self.env["res.partner"]),
            "_eldercare_payment_reminder_partners",
            payment_partners,
        ):
            tasks = self.env["res.partner"]._eldercare_outbound_call_tasks(
                date(2027, 5, 1)
            )
            self.assertEqual(
                [t["type"] for t in tasks if t["elder_id"] == self.elder_b.id],
                ["payment"],
            )
            self.env["res.partner"]._cron_eldercare_care_reminders(
                date=date(2027, 5, 1)
            )
        payment = self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", self.elder_b.id),
                (
                    "activity_type_id",
                    "=",
                    self.env.ref(
                        "eldercare_base.mail_activity_type_payment_reminder"
                    ).id,
                ),
            ]
        )
        # the hook answers for every day of the window: one activity per day
        self.assertEqual(len(payment), 4)
        self.assertEqual(payment.user_id, self.worker)
