from datetime import datetime, timedelta

from odoo.tests import tagged

from .common import EldercarePbxCase

DAY = datetime(2026, 3, 2, 9, 0, 0)


@tagged("post_install", "-at_install", "eldercare_asterisk")
class TestAnswerReport(EldercarePbxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Call = cls.env["eldercare.call"]
        vals = []
        # (operator, seconds to answer or None, extra values)
        plan = [
            (cls.operator, 10, {}),
            (cls.operator, 50, {}),
            (cls.operator, 70, {}),
            (cls.operator, 200, {}),
            (cls.operator2, 30, {}),
            (False, None, {}),  # caller gave up after 95 s
            (cls.operator, 300, {"simulated": True}),  # training: not counted
            (False, None, {"queue": False, "route": "request"}),  # voice menu only
            (cls.operator, 400, {"direction": "outbound"}),  # not an inbound call
        ]
        for index, (operator, answer, extra) in enumerate(plan):
            start = DAY + timedelta(minutes=10 * index)
            values = {
                "linkedid": f"report-{index}",
                "direction": "inbound",
                "queue": "eldercare-emergency",
                "route": "emergency",
                "started_at": start,
                "operator_id": operator and operator.id,
                "ended_at": start + timedelta(seconds=answer + 60 if answer else 95),
            }
            if answer is not None:
                values["answered_at"] = start + timedelta(seconds=answer)
            values.update(extra)
            vals.append(values)
        cls.calls = Call.create(vals)
        # another day, all answered at once
        Call.create(
            {
                "linkedid": "report-next-day",
                "direction": "inbound",
                "queue": "eldercare-service",
                "started_at": DAY + timedelta(days=1),
                "answered_at": DAY + timedelta(days=1, seconds=5),
                "operator_id": cls.operator2.id,
            }
        )

    def rates(self, groupby):
        domain = [
            ("offered", "=", True),
            ("linkedid", "=like", "report-%"),
        ]
        return {
            key: (round(rate60, 2), round(rate180, 2), count)
            for key, rate60, rate180, count in self.env["eldercare.call"]._read_group(
                domain,
                [groupby],
                ["answered_60_rate:avg", "answered_180_rate:avg", "__count"],
            )
        }

    def test_per_day(self):
        rates = self.rates("started_at:day")
        days = {key.date().isoformat(): value for key, value in rates.items()}
        # 6 offered calls: 3 answered within 60 s, 4 within 180 s
        self.assertEqual(days["2026-03-02"], (50.0, 66.67, 6))
        self.assertEqual(days["2026-03-03"], (100.0, 100.0, 1))

    def test_per_operator(self):
        rates = self.rates("operator_id")
        self.assertEqual(rates[self.operator], (50.0, 75.0, 4))
        self.assertEqual(rates[self.operator2], (100.0, 100.0, 2))

    def test_flags_and_targets(self):
        by_id = {call.linkedid: call for call in self.calls}
        self.assertTrue(by_id["report-2"].answered_180)
        self.assertFalse(by_id["report-2"].answered_60)
        self.assertEqual(by_id["report-2"].ring_seconds, 70)
        self.assertEqual(by_id["report-5"].ring_seconds, 95)
        self.assertFalse(by_id["report-6"].offered)
        self.assertFalse(by_id["report-7"].offered)
        self.assertFalse(by_id["report-8"].offered)
        self.assertEqual(
            self.env["eldercare.call"]._answer_targets(),
            {"within_60": 97.5, "within_180": 99.0},
        )
        action = self.env.ref("eldercare_asterisk.eldercare_call_answer_report_action")
        self.assertIn("97.5%", action.name)
        self.assertIn("99%", action.name)
