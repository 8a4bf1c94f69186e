from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.eldercare_base.tests.common import eldercare_user

from .common import ELDER_NUMBER, EMERGENCY_DID, SERVICE_DID, EldercarePbxCase
from .test_ami_events import ev


@tagged("post_install", "-at_install", "eldercare_asterisk")
@freeze_time("2025-11-24 08:00:00")
class TestEscalation(EldercarePbxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Step = cls.env["eldercare.escalation.step"]
        cls.Step.search([]).unlink()
        cls.env["res.users"].search([("eldercare_on_call", "=", True)]).write(
            {"eldercare_on_call": False}
        )
        cls.supervisor = eldercare_user(
            cls.env,
            "ec_esc_supervisor",
            "Supervisor Zhou",
            "supervisor",
        )
        cls.supervisor.write({"eldercare_extension": "7103", "eldercare_on_call": True})
        cls.mobile_only = eldercare_user(
            cls.env, "ec_esc_mobile", "Supervisor Qian", "supervisor"
        )
        cls.mobile_only.partner_id.mobile = "139 0000 7104"
        cls.mobile_only.eldercare_on_call = True

    def test_supervisor_configures_the_chain_the_dialplan_gets(self):
        Step = self.Step.with_user(self.supervisor)
        Step.create(
            [
                {"sequence": 1, "target": "queue", "ring_seconds": 20},
                {"sequence": 2, "target": "on_call", "ring_seconds": 15},
                {
                    "sequence": 3,
                    "target": "number",
                    "number": "120",
                    "ring_seconds": 30,
                },
            ]
        )
        route = self.route("esc-1", ELDER_NUMBER, EMERGENCY_DID)
        self.assertEqual(
            route["chain"],
            [
                {"target": "queue", "seconds": 20, "label": "queue"},
                {
                    "target": "PJSIP/7103&PJSIP/13900007104@TRUNK",
                    "seconds": 15,
                    "label": "on_call",
                },
                {"target": "PJSIP/120@TRUNK", "seconds": 30, "label": "number"},
            ],
        )
        # the bridge keeps a copy for when Odoo is too slow to answer
        self.assertEqual(
            self.bridge.bridge_config()["escalation_chain"], route["chain"]
        )
        # service calls ring no chain
        self.assertEqual(self.route("esc-2", ELDER_NUMBER, SERVICE_DID)["chain"], [])

    def test_operators_queue_is_always_in_the_chain(self):
        self.Step.create({"target": "on_call", "ring_seconds": 10})
        chain = self.Step._eldercare_chain()
        self.assertEqual([s["target"] for s in chain][0], "queue")
        self.Step.search([]).unlink()
        self.assertEqual(
            self.Step._eldercare_chain(),
            [{"target": "queue", "seconds": 60, "label": "queue"}],
        )

    def test_bad_steps_are_refused_with_a_clear_message(self):
        with self.assertRaisesRegex(ValidationError, "between 5 and 600"):
            self.Step.create({"target": "queue", "ring_seconds": 1})
        with self.assertRaisesRegex(ValidationError, "digits only"):
            self.Step.create(
                {"target": "number", "number": "12O; rm", "ring_seconds": 10}
            )

    def test_each_step_is_written_on_the_alert_and_shown_in_the_popup(self):
        lid = "1763971200.71"
        route = self.route(lid, ELDER_NUMBER, EMERGENCY_DID)
        alert = self.env["eldercare.alert"].browse(route["alert_id"])
        self.bridge.ami_events(
            [
                ev(
                    "UserEvent",
                    lid,
                    1,
                    UserEvent="EldercareEscalation",
                    Step="1",
                    Target="queue",
                    Seconds="20",
                ),
                ev(
                    "UserEvent",
                    lid,
                    21,
                    UserEvent="EldercareEscalation",
                    Step="2",
                    Target="PJSIP/7103",
                    Seconds="15",
                ),
            ]
        )
        self.assertEqual(alert.escalation_ids.mapped("step"), [1, 2])
        self.assertEqual(
            alert.escalation_ids.mapped("result"), ["no_answer", "ringing"]
        )
        self.assertEqual(str(alert.escalation_ids[1].started_at), "2025-11-24 08:00:21")
        # the supervisor's phone picks up
        self.bridge.ami_events(
            [
                ev(
                    "BridgeEnter",
                    lid,
                    25,
                    Channel="PJSIP/7103-00000001",
                    BridgeNumChannels="2",
                ),
            ]
        )
        self.assertEqual(alert.escalation_ids[1].result, "answered")
        updates = self.bus_messages(self.operator, "eldercare_alert_update")
        steps = updates[-1]["alert"]["escalation"]
        self.assertEqual([s["result"] for s in steps], ["no_answer", "answered"])
        self.assertEqual(steps[1]["target"], "PJSIP/7103")


@tagged("post_install", "-at_install", "eldercare_asterisk")
@freeze_time("2025-11-24 08:00:00")
class TestAnsweredIsThePickup(EldercarePbxCase):
    def test_take_does_not_answer_a_call_the_pickup_does(self):
        lid = "1763971200.81"
        route = self.route(lid, ELDER_NUMBER, EMERGENCY_DID)
        alert = self.env["eldercare.alert"].browse(route["alert_id"])
        with freeze_time("2025-11-24 08:00:05"):
            alert.with_user(self.operator).action_take()
        self.assertEqual(str(alert.taken_at), "2025-11-24 08:00:05")
        self.assertFalse(alert.answered_at, "a Take click is not a pickup")
        self.bridge.ami_events(
            [
                ev(
                    "AgentConnect",
                    lid,
                    12,
                    Queue="eldercare-emergency",
                    DestChannel="PJSIP/7101-00000002",
                    Interface="PJSIP/7101",
                ),
            ]
        )
        self.assertEqual(str(alert.answered_at), "2025-11-24 08:00:12")
        self.assertEqual(alert.answer_seconds, 12)


@tagged("post_install", "-at_install", "eldercare_asterisk")
class TestSimulateIsForTrainers(EldercarePbxCase):
    def test_only_supervisors_simulate_and_never_for_long(self):
        wizard = self.env["eldercare.call.simulate"].create(
            {"line_id": self.line_emergency.id, "caller_number": ELDER_NUMBER}
        )
        # an operator (or a portal user) calling the button over JSON-RPC
        with self.assertRaisesRegex(AccessError, "supervisors and trainers"):
            wizard.with_user(self.operator).action_simulate()
        with self.assertRaisesRegex(ValidationError, "between 10 and 600"):
            self.env["eldercare.call.simulate"].create(
                {"line_id": self.line_emergency.id, "wait_seconds": 3600}
            )


@tagged("post_install", "-at_install", "eldercare_asterisk")
class TestOutboundNumbers(EldercarePbxCase):
    def test_domestic_numbers_only(self):
        company = self.env.company
        check = company._eldercare_check_outbound_number
        self.assertEqual(check("139 0013 9000"), "13900139000")
        self.assertEqual(check("010-6552-1234"), "01065521234")
        self.assertEqual(check("120"), "120")
        with self.assertRaisesRegex(UserError, "international"):
            check("+44 20 7946 0000")
        with self.assertRaisesRegex(UserError, "international"):
            check("0044207946000")
        with self.assertRaisesRegex(UserError, "premium-rate"):
            check("1900123456")
        with self.assertRaisesRegex(UserError, "not among the numbers"):
            check("12345")
        # the center narrows the list: only mobiles
        company.eldercare_outbound_patterns = r"1[3-9]\d{9}"
        with self.assertRaisesRegex(UserError, "not among the numbers"):
            check("01065521234")
        self.assertEqual(
            self.bridge.bridge_config()["outbound_patterns"], [r"1[3-9]\d{9}"]
        )
        with self.assertRaisesRegex(ValidationError, "not a valid pattern"):
            company.eldercare_outbound_patterns = "1[3-9"
