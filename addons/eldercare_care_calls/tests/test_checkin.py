import datetime

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.eldercare_asterisk.tests.common import (
    ELDER_NUMBER,
    SERVICE_DID,
    EldercarePbxCase,
)
from odoo.addons.eldercare_base.tests.common import eldercare_user


@tagged("post_install", "-at_install", "eldercare_care_calls")
class TestCheckin(EldercarePbxCase):
    """Daily check-ins driven the way the bridge's dialer drives them: through
    ``dial_sync`` polls and reports."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.worker = eldercare_user(cls.env, "ec_checkin_worker", "社区 刘工", "worker")
        cls.elder.worker_id = cls.worker
        cls.Plan = cls.env["eldercare.checkin.plan"]
        cls.Attempt = cls.env["eldercare.checkin.attempt"]
        cls.env["ir.config_parameter"].set_param(
            "eldercare_asterisk.dial_max_channels", "10"
        )
        # nothing else waits for the dialer in these tests
        cls.env["eldercare.dial.request"].search([]).unlink()

    def make_plan(self, elder=None, **vals):
        values = {
            "elder_id": (elder or self.elder).id,
            "window_start": 0.0,
            "window_end": 24.0,
            "retries": 2,
            "retry_minutes": 20,
        }
        values.update(vals)
        return self.Plan.create(values)

    def plan_today(self):
        """Today's attempts, all due now (the planner spreads the first calls
        over the window; ``test_plan_day_spreads...`` checks that)."""
        attempts = self.Plan._cron_plan_today()
        now = fields.Datetime.now()
        # the window: from an hour ago to a day ahead, whatever the time
        attempts.write(
            {
                "window_start_at": now - datetime.timedelta(hours=1),
                "window_end_at": now + datetime.timedelta(days=1),
            }
        )
        attempts.filtered(lambda a: a.state == "planned").next_call_at = now
        return attempts

    def test_holiday_skips_only_the_plans_set_to_skip(self):
        day = datetime.date(2026, 10, 1)  # a Thursday
        self.env["eldercare.holiday"].create({"name": "国庆节", "date": day})
        other = self.env["res.partner"].create(
            {"name": "测试 老孙", "is_elder": True, "mobile": "+8613900001111"}
        )
        skipping = self.make_plan(skip_holidays=True)
        calling = self.make_plan(elder=other)
        attempts = self.Plan._eldercare_plan_day(day)
        self.assertEqual(attempts.plan_id, calling)
        self.assertFalse(skipping.attempt_ids)
        # the next day is a working day: both are called
        attempts = self.Plan._eldercare_plan_day(day + datetime.timedelta(days=1))
        self.assertEqual(attempts.plan_id, skipping | calling)

    def checkin_dials(self, out):
        return [d for d in out["dial"] if d["exten"] == "checkin"]

    # ---------------------------------------------------------- planning
    def test_plan_day_spreads_calls_over_the_window_once(self):
        elders = self.env["res.partner"].create(
            [
                {
                    # names in the reverse order of the plans
                    "name": f"老人 {9 - i}",
                    "is_elder": True,
                    "mobile": f"1370000910{i}",
                    "tz": "Asia/Shanghai",
                }
                for i in range(3)
            ]
        )
        plans = self.Plan.create(
            [
                {
                    "elder_id": e.id,
                    "window_start": 9.0,
                    "window_end": 11.0,
                    "retries": 2,
                    "retry_minutes": 20,
                }
                for e in elders
            ]
        )
        day = datetime.date(2026, 12, 2)  # a Wednesday
        plans[2].wed = False
        attempts = self.Plan._eldercare_plan_day(day)
        self.assertEqual(attempts.plan_id, plans[:2])
        self.assertEqual(attempts.mapped("number"), ["13700009100", "13700009101"])
        # Asia/Shanghai 09:00 = 01:00 UTC; two retries of 20 min leave 80 min
        # for the first calls: 0 and 40 min after the start
        # in the order the plans were made, whatever the elders' names
        self.assertEqual(
            attempts.sorted("plan_id").mapped("next_call_at"),
            [
                datetime.datetime(2026, 12, 2, 1, 0),
                datetime.datetime(2026, 12, 2, 1, 40),
            ],
        )
        self.assertEqual(set(attempts.mapped("state")), {"planned"})
        self.assertEqual(set(attempts.mapped("max_tries")), {3})
        self.assertFalse(
            self.Plan._eldercare_plan_day(day), "a second run plans nothing again"
        )

    def test_plan_today_is_the_centers_day_whoever_presses_it(self):
        """01:00 in Shanghai is still the evening before in Brussels: a user
        set to Brussels who presses *Plan today* plans the center's new day,
        from the start of the elder's window, as the morning job does; the
        care-call timezone setting moves the center's day."""
        elder = self.env["res.partner"].create(
            {"name": "老人 周", "is_elder": True, "mobile": "13700009201"}
        )
        plan = self.make_plan(elder, window_start=8.0, window_end=10.0, retries=0)
        brussels = eldercare_user(
            self.env,
            "ec_checkin_brussels",
            "社区 外派",
            "supervisor",
            tz="Europe/Brussels",
        )
        with freeze_time("2026-12-02 17:00:00"):  # Shanghai Thu 3 Dec 01:00
            self.Plan.with_user(brussels).browse(plan.id).action_plan_today()
        attempt = plan.attempt_ids
        self.assertEqual(attempt.date, datetime.date(2026, 12, 3))
        self.assertEqual(attempt.window_start_at, datetime.datetime(2026, 12, 3, 0, 0))
        self.assertEqual(attempt.next_call_at, datetime.datetime(2026, 12, 3, 0, 0))
        self.env["ir.config_parameter"].set_param(
            "eldercare_care_calls.timezone", "Europe/Brussels"
        )
        with freeze_time("2026-12-03 17:00:00"):  # Brussels Thu 3 Dec 18:00
            self.assertFalse(
                self.Plan._cron_plan_today().filtered(lambda a: a.plan_id == plan),
                "the center's Thursday is planned already",
            )

    def test_a_plan_without_number_is_a_missed_checkin_at_once(self):
        elder = self.env["res.partner"].create({"name": "无电话", "is_elder": True})
        plan = self.make_plan(elder)
        attempt = self.plan_today().filtered(lambda a: a.plan_id == plan)
        self.assertEqual(attempt.state, "missed")
        self.assertEqual(attempt.alert_id.type_id.code, "missed_checkin")

    def test_window_must_be_valid(self):
        with self.assertRaises(ValidationError):
            self.make_plan(window_start=11.0, window_end=9.0)

    # ---------------------------------------------------------- outcomes
    def test_key_1_checks_in(self):
        self.make_plan()
        attempt = self.plan_today()
        out = self.sync()
        (dial,) = self.checkin_dials(out)
        request = self.env["eldercare.dial.request"].browse(dial["id"])
        self.assertEqual(request.purpose, "checkin")
        self.assertTrue(request.automated)
        self.assertLess(request.priority, 90, "the cascade goes first")
        self.assertEqual(dial["number"], "13700007002", "the elder's best number")
        self.assertEqual(dial["context"], "eldercare-dialer")
        self.assertIn("eldercare/checkin-ask", dial["prompt"])
        self.assertEqual(attempt.state, "calling")
        self.answer(dial, "1")
        self.assertEqual(attempt.state, "checked_in")
        self.assertEqual(attempt.via, "phone")
        self.assertEqual(attempt.compliance, 100.0)
        self.assertFalse(self.checkin_dials(self.sync()), "no second call")

    def test_key_2_asks_the_worker_to_call_back(self):
        self.make_plan()
        attempt = self.plan_today()
        (dial,) = self.checkin_dials(self.sync())
        self.answer(dial, "2")
        self.assertEqual(attempt.state, "callback")
        activity = attempt.activity_ids
        self.assertEqual(activity.user_id, self.worker)
        self.assertIn(self.elder.name, activity.summary)

    def test_key_9_raises_an_emergency_alert_at_once(self):
        self.make_plan()
        attempt = self.plan_today()
        (dial,) = self.checkin_dials(self.sync())
        self.answer(dial, "9")
        self.assertEqual(attempt.state, "help")
        alert = attempt.alert_id
        self.assertTrue(alert)
        self.assertEqual(alert.type_id.code, "emergency")
        self.assertEqual(alert.elder_id, self.elder)
        self.assertEqual(alert.state, "new")
        # a repeated report raises no second alert
        self.answer(dial, "9")
        self.assertEqual(
            self.env["eldercare.alert"].search_count(
                [("call_linkedid", "=", dial["linkedid"])]
            ),
            1,
        )

    def test_unanswered_calls_are_retried_then_a_missed_checkin_alert(self):
        self.make_plan(retries=2, retry_minutes=15)
        attempt = self.plan_today()
        results = ["no_answer", "busy", "answered"]  # the last: answered, no key
        for number, result in enumerate(results, start=1):
            (dial,) = self.checkin_dials(self.sync())
            self.answer(dial, None, result)
            self.assertEqual(attempt.tries, number)
            if number < len(results):
                self.assertEqual(attempt.state, "retry")
                wait = attempt.next_call_at - fields.Datetime.now()
                self.assertGreater(wait, datetime.timedelta(minutes=14))
                self.assertFalse(self.checkin_dials(self.sync()), "not before time")
                attempt.next_call_at = fields.Datetime.now()
        self.assertEqual(attempt.state, "missed")
        self.assertEqual(attempt.result, "no_digit")
        alert = attempt.alert_id
        self.assertEqual(alert.type_id.code, "missed_checkin")
        self.assertEqual(alert.channel, "checkin")
        self.assertEqual(alert.elder_id, self.elder)
        self.assertEqual(alert.type_id.feedback_minutes, 30)
        self.assertEqual(attempt.count_missed, 1)

    def test_a_call_lost_by_a_dialer_restart_is_placed_once_more(self):
        self.make_plan(retries=0)
        attempt = self.plan_today()
        (dial,) = self.checkin_dials(self.sync())
        # the dialer restarted and does not track the call: Odoo ends it lost
        out = self.sync(active=[])
        self.assertEqual(attempt.result, "lost")
        (again,) = self.checkin_dials(out)
        self.assertNotEqual(again["id"], dial["id"])
        self.assertEqual(attempt.tries, 1, "a lost call is not a try")
        self.answer(again, "1")
        self.assertEqual(attempt.state, "checked_in")

    def test_pacing_follows_the_free_automated_channels(self):
        self.env["ir.config_parameter"].set_param(
            "eldercare_asterisk.dial_max_channels", "2"
        )
        elders = self.env["res.partner"].create(
            [
                {"name": f"老人 {i}", "is_elder": True, "mobile": f"1370000920{i}"}
                for i in range(5)
            ]
        )
        for elder in elders:
            self.make_plan(elder)
        self.plan_today()
        first = self.checkin_dials(self.sync())
        self.assertEqual(len(first), 2)
        active = [d["id"] for d in first]
        self.assertFalse(self.checkin_dials(self.sync(active=active)), "all busy")
        out = self.answer(first[0], "1", active=[first[1]["id"]])
        self.assertEqual(len(self.checkin_dials(out)), 1, "the freed channel")
        queued = self.env["eldercare.dial.request"].search_count(
            [("purpose", "=", "checkin"), ("state", "=", "queued")]
        )
        self.assertEqual(queued, 0, "the queue is never flooded")

    def test_no_retry_after_the_window_ends(self):
        self.make_plan(retries=2, retry_minutes=30)
        attempt = self.plan_today()
        attempt.window_end_at = fields.Datetime.now() + datetime.timedelta(minutes=20)
        (dial,) = self.checkin_dials(self.sync())
        self.answer(dial, None, "no_answer")
        self.assertEqual(attempt.tries, 1)
        self.assertEqual(attempt.state, "missed", "the retry would be too late")
        self.assertEqual(attempt.alert_id.type_id.code, "missed_checkin")

    def test_inbound_call_outside_the_window_does_not_count(self):
        self.make_plan(number=ELDER_NUMBER)
        attempt = self.plan_today()
        attempt.window_start_at = fields.Datetime.now() + datetime.timedelta(hours=1)
        self.route("1733000000.4", ELDER_NUMBER, SERVICE_DID)
        self.assertEqual(attempt.state, "planned")

    # ------------------------------------------------------------ inbound
    def test_inbound_call_inside_the_window_is_the_checkin(self):
        self.make_plan(number=ELDER_NUMBER)
        attempt = self.plan_today()
        self.route("1733000000.1", ELDER_NUMBER, SERVICE_DID)
        self.assertEqual(attempt.state, "checked_in")
        self.assertEqual(attempt.via, "inbound")
        self.assertEqual(attempt.inbound_call_id, self.call_of("1733000000.1"))
        self.assertFalse(self.checkin_dials(self.sync()), "no outbound call placed")

    def test_inbound_call_known_only_from_the_ami_events_is_the_checkin(self):
        """The bridge answered the call from its replica and Odoo never got
        the routing lookup: the call's first channel event checks in."""
        self.make_plan(number=ELDER_NUMBER)
        attempt = self.plan_today()
        lid = "1733000000.5"
        self.bridge.ami_events(
            [
                {
                    "Event": "Newchannel",
                    "Linkedid": lid,
                    "Uniqueid": lid,
                    "Channel": "PJSIP/trunk-00000005",
                    "CallerIDNum": ELDER_NUMBER,
                    "Exten": SERVICE_DID,
                }
            ]
        )
        self.assertEqual(attempt.state, "checked_in")
        self.assertEqual(attempt.inbound_call_id, self.call_of(lid))
        self.assertFalse(self.checkin_dials(self.sync()), "no outbound call placed")

    def test_inbound_call_whose_caller_id_comes_late_is_the_checkin(self):
        """A call through a Local channel (or a trunk sending the number late)
        begins as ``<unknown>``; its number comes in ``NewCallerid``, in a
        later event batch, and the elder calling in is checked in."""
        self.make_plan(number=ELDER_NUMBER)
        attempt = self.plan_today()
        lid = "1733000000.6"
        channel = {"Linkedid": lid, "Uniqueid": lid, "Channel": "Local/x@in-0006;1"}
        self.bridge.ami_events(
            [
                dict(
                    channel,
                    Event="Newchannel",
                    CallerIDNum="<unknown>",
                    CallerIDName="<unknown>",
                    Exten=SERVICE_DID,
                )
            ]
        )
        call = self.call_of(lid)
        self.assertFalse(call.caller_number, "<unknown> is no number")
        self.assertEqual(attempt.state, "planned")
        self.bridge.ami_events(
            [dict(channel, Event="NewCallerid", CallerIDNum=ELDER_NUMBER)]
        )
        self.assertEqual(call.caller_number, ELDER_NUMBER)
        self.assertEqual(attempt.state, "checked_in")
        self.assertEqual(attempt.inbound_call_id, call)
        self.assertFalse(self.checkin_dials(self.sync()), "no outbound call placed")

    def test_inbound_call_cancels_the_queued_call(self):
        self.make_plan(number=ELDER_NUMBER)
        attempt = self.plan_today()
        attempt._eldercare_place_call()
        request = attempt.request_id
        self.assertEqual(request.state, "queued")
        self.route("1733000000.2", ELDER_NUMBER, SERVICE_DID)
        self.assertEqual(attempt.state, "checked_in")
        self.assertEqual(request.state, "cancelled")

    def test_inbound_call_from_another_number_does_not_count(self):
        self.make_plan(number="13700007999")
        attempt = self.plan_today()
        self.route("1733000000.3", ELDER_NUMBER, SERVICE_DID)
        self.assertEqual(attempt.state, "planned")

    # -------------------------------------------------------------- screens
    def test_elder_form_opens_the_elders_checkins(self):
        view = self.env.ref("eldercare_base.res_partner_view_form_elder")
        arch = (
            self.env["res.partner"].with_user(self.operator).get_view(view.id)["arch"]
        )
        action = self.env.ref(
            "eldercare_care_calls.eldercare_checkin_attempt_action_elder"
        )
        self.assertIn(f'name="{action.id}"', arch)
        self.assertIn("search_default_elder_id", arch)

    def test_zh_cn_translations_load(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["eldercare_care_calls"], ["zh_CN"], overwrite=True
        )
        Attempt = self.Attempt.with_context(lang="zh_CN")
        states = dict(Attempt.fields_get(["state"])["state"]["selection"])
        self.assertEqual(states["checked_in"], "已报平安")
        self.assertEqual(states["missed"], "未联系上")
        menu = self.env.ref("eldercare_care_calls.eldercare_checkin_attempt_menu")
        self.assertEqual(menu.with_context(lang="zh_CN").name, "每日平安问候")
        missed_type = self.env.ref("eldercare_care_calls.alert_type_missed_checkin")
        self.assertEqual(missed_type.with_context(lang="zh_CN").name, "未报平安")
