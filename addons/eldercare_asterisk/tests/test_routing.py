from unittest.mock import patch

import psycopg2

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import (
    ELDER_NUMBER,
    ELDER_NUMBER_E164,
    EMERGENCY_DID,
    SERVICE_DID,
    EldercarePbxCase,
)

HOSTILE_CALLER_IDS = [
    "",
    None,
    False,
    "anonymous",
    "Anonymous",
    "unknown",
    "abcdefg",
    "1" * 200,
    "x" * 200,
    "'; DROP TABLE res_partner; --",
    "1' OR '1'='1",
    "\r\nAction: Originate",
    "%%%%",
    12345,
    {"num": 1},
    ["13800138000"],
]


@tagged("post_install", "-at_install", "eldercare_asterisk")
class TestRouting(EldercarePbxCase):
    def test_certified_elder_on_emergency_line_raises_one_alert(self):
        result = self.route("1700000000.1", ELDER_NUMBER, EMERGENCY_DID)
        self.assertEqual(result["route"], "emergency")
        self.assertEqual(result["queue"], "eldercare-emergency")
        self.assertEqual(result["elder_id"], self.elder.id)
        alert = self.env["eldercare.alert"].browse(result["alert_id"])
        self.assertTrue(alert.exists())
        self.assertEqual(alert.elder_id, self.elder)
        self.assertEqual(alert.channel, "emergency_line")
        self.assertEqual(alert.call_linkedid, "1700000000.1")
        call = self.env["eldercare.call"].browse(result["call_id"])
        self.assertEqual(call.alert_id, alert)
        self.assertEqual(call.elder_id, self.elder)
        self.assertEqual(call.line_id, self.line_emergency)
        self.assertEqual(call.caller_number_e164, ELDER_NUMBER_E164)
        self.assertEqual(call.direction, "inbound")

        # Asterisk retries the AGI (or the bridge replays it): same linkedid
        again = self.route("1700000000.1", ELDER_NUMBER, EMERGENCY_DID)
        self.assertEqual(again["alert_id"], alert.id)
        self.assertEqual(again["call_id"], call.id)
        self.assertEqual(
            self.env["eldercare.alert"].search_count(
                [("call_linkedid", "=", "1700000000.1")]
            ),
            1,
        )
        self.assertEqual(len(self.call_of("1700000000.1")), 1)

    def test_unknown_caller_on_emergency_line_still_raises_alert(self):
        result = self.route("1700000000.2", "13600000009", EMERGENCY_DID)
        self.assertEqual(result["route"], "emergency")
        self.assertEqual(result["elder_id"], 0)
        alert = self.env["eldercare.alert"].browse(result["alert_id"])
        self.assertTrue(alert.exists())
        self.assertFalse(alert.elder_id)
        self.assertEqual(alert.caller_number, "13600000009")

    def test_service_line_known_and_unknown_caller_go_to_ivr(self):
        alerts_before = self.env["eldercare.alert"].search_count([])
        known = self.route("1700000000.3", "+86 137 0000 7001", SERVICE_DID)
        self.assertEqual(known["route"], "ivr")
        self.assertEqual(known["elder_id"], self.elder.id)
        self.assertEqual(known["alert_id"], 0)
        self.assertEqual(known["queue"], "eldercare-service")
        unknown = self.route("1700000000.4", "13600000009", SERVICE_DID)
        self.assertEqual(unknown["route"], "ivr")
        self.assertEqual(unknown["elder_id"], 0)
        self.assertEqual(self.env["eldercare.alert"].search_count([]), alerts_before)
        self.assertEqual(self.call_of("1700000000.3").route, "ivr")

    def test_service_line_without_voice_menu_goes_to_operators(self):
        self.env["eldercare.ivr.option"].search([]).action_archive()
        result = self.route("1700000000.8", ELDER_NUMBER, SERVICE_DID)
        self.assertEqual(result["route"], "operator")
        self.assertEqual(result["queue"], "eldercare-service")
        self.assertEqual(result["elder_id"], self.elder.id)
        self.assertTrue(self.call_of("1700000000.8").offered)

    def test_unconfigured_did_falls_back_to_service_queue(self):
        result = self.route("1700000000.5", ELDER_NUMBER, "5555")
        self.assertEqual(result["route"], "fallback")
        self.assertEqual(result["queue"], "eldercare-service")
        self.assertEqual(result["alert_id"], 0)

    def test_emergency_and_service_never_share_a_queue(self):
        emergency = self.route("1700000000.6", ELDER_NUMBER, EMERGENCY_DID)
        service = self.route("1700000000.7", ELDER_NUMBER, SERVICE_DID)
        operator = self.bridge.ivr_choice(
            {"linkedid": "1700000000.7", "digits": "0", "caller_num": ELDER_NUMBER}
        )
        self.assertEqual(emergency["queue"], "eldercare-emergency")
        self.assertEqual(service["queue"], "eldercare-service")
        self.assertEqual(operator["queue"], "eldercare-service")

    def test_hostile_caller_ids_never_raise(self):
        for index, caller in enumerate(HOSTILE_CALLER_IDS):
            with self.subTest(caller=caller):
                emergency = self.route(f"1700000001.{index}", caller, EMERGENCY_DID)
                self.assertEqual(emergency["route"], "emergency")
                self.assertEqual(emergency["elder_id"], 0)
                self.assertTrue(emergency["alert_id"], "an alert is raised anyway")
                alert = self.env["eldercare.alert"].browse(emergency["alert_id"])
                self.assertFalse(alert.elder_id)
                service = self.route(f"1700000002.{index}", caller, SERVICE_DID)
                self.assertEqual(service["route"], "ivr")
                self.assertEqual(service["elder_id"], 0)
        # the raw value is kept, truncated, in the call log
        call = self.call_of("1700000001.7")
        self.assertEqual(call.caller_number, "1" * 64)
        self.assertFalse(call.caller_number_e164)

    def test_garbage_params_never_raise(self):
        for params in (None, [], "x", {}, {"did": {"a": 1}}, {"linkedid": ["a"]}):
            with self.subTest(params=params):
                result = self.bridge.agi_route_batch([params])[0]
                self.assertIn(result["route"], ("fallback", "emergency", "ivr"))

    def test_batch_of_simultaneous_calls_routes_each_in_order(self):
        """A burst reaches Odoo as one batch: every call gets its own decision
        in order, an emergency call repeated in the batch raises one alert."""
        neighbour = self.env["res.partner"].create(
            {
                "name": "刘淑珍",
                "is_elder": True,
                "elder_phone_ids": [
                    Command.create({"number": "13700007011", "phone_type": "mobile"})
                ],
            }
        )
        before = self.env["eldercare.alert"].search_count([])

        def params(linkedid, caller, did):
            return {"linkedid": linkedid, "caller_num": caller, "did": did}

        results = self.bridge.agi_route_batch(
            [
                params("1700000009.1", ELDER_NUMBER, EMERGENCY_DID),
                params("1700000009.2", "+86 137 0000 7011", EMERGENCY_DID),
                params("1700000009.3", "13999999999", EMERGENCY_DID),
                params("1700000009.4", "13700007011", SERVICE_DID),
                params("1700000009.1", ELDER_NUMBER, EMERGENCY_DID),
            ]
        )
        self.assertEqual(
            [r["route"] for r in results],
            ["emergency", "emergency", "emergency", "ivr", "emergency"],
        )
        self.assertEqual(
            [r["elder_id"] for r in results],
            [self.elder.id, neighbour.id, 0, neighbour.id, self.elder.id],
        )
        self.assertEqual(self.env["eldercare.alert"].search_count([]), before + 3)
        self.assertEqual(results[3]["alert_id"], 0)
        self.assertEqual(results[0]["alert_id"], results[4]["alert_id"])
        alerts = self.env["eldercare.alert"].browse(
            [r["alert_id"] for r in results[:3]]
        )
        self.assertEqual(
            alerts.mapped("call_linkedid"),
            ["1700000009.1", "1700000009.2", "1700000009.3"],
        )
        self.assertEqual(len(set(alerts.mapped("name"))), 3, "each its own number")
        calls = self.env["eldercare.call"].browse([r["call_id"] for r in results])
        self.assertEqual(calls[:3].mapped("alert_id"), alerts)
        self.assertEqual(calls[4], calls[0])
        self.assertEqual(calls[3].route, "ivr")
        # the on-duty operator gets a popup for each new alert
        popups = self.bus_messages(self.operator, "eldercare_alert_popup")
        self.assertEqual(
            {p["alert"]["id"] for p in popups} & set(alerts.ids), set(alerts.ids)
        )

    def test_batch_returns_alerts_already_raised_without_duplicates(self):
        first = self.route("1700000010.1", ELDER_NUMBER, EMERGENCY_DID)
        results = self.bridge.agi_route_batch(
            [
                {"linkedid": "1700000010.1", "caller_num": ELDER_NUMBER, "did": d}
                for d in (EMERGENCY_DID,)
            ]
            + [{"linkedid": "1700000010.2", "caller_num": "", "did": EMERGENCY_DID}]
        )
        self.assertEqual(results[0]["alert_id"], first["alert_id"])
        self.assertNotEqual(results[1]["alert_id"], first["alert_id"])
        self.assertEqual(
            self.env["eldercare.alert"].search_count(
                [("call_linkedid", "in", ["1700000010.1", "1700000010.2"])]
            ),
            2,
        )

    def test_one_failing_alert_does_not_keep_the_others_from_being_raised(self):
        Alert = type(self.env["eldercare.alert"])
        real_create = Alert.create

        def create(records, vals_list):
            vals_list = [vals_list] if isinstance(vals_list, dict) else vals_list
            if any(v.get("call_linkedid") == "1700000011.2" for v in vals_list):
                raise ValueError("disk full")
            return real_create(records, vals_list)

        with (
            patch.object(Alert, "create", create),
            mute_logger("odoo.addons.eldercare_asterisk.models.eldercare_pbx_bridge"),
        ):
            results = self.bridge.agi_route_batch(
                [
                    {"linkedid": f"1700000011.{i}", "caller_num": "", "did": d}
                    for i, d in ((1, EMERGENCY_DID), (2, EMERGENCY_DID), (3, "7901"))
                ]
            )
        self.assertTrue(results[0]["alert_id"])
        self.assertEqual(results[1]["alert_id"], 0, "the bridge spools this one")
        self.assertEqual(results[1]["queue"], "eldercare-emergency")
        self.assertTrue(results[2]["alert_id"])

    def test_concurrency_error_is_left_to_odoo_to_retry_the_request(self):
        """A serialization failure is not an alert that failed: the whole
        request must be retried by Odoo, not answered without an alert."""
        Alert = type(self.env["eldercare.alert"])

        def conflict(records, vals_list):
            raise psycopg2.errors.SerializationFailure("concurrent update")

        with (
            patch.object(Alert, "_raise_from_calls", conflict),
            self.assertRaises(psycopg2.errors.SerializationFailure),
        ):
            self.route("1700000012.1", ELDER_NUMBER, EMERGENCY_DID)

    def test_warm_up_only_reads(self):
        self.route("1700000013.1", ELDER_NUMBER, EMERGENCY_DID)
        self.env.cr.precommit.run()
        alerts = self.env["eldercare.alert"].search_count([])
        calls = self.env["eldercare.call"].search_count([])
        popups = len(self.bus_messages(self.operator, "eldercare_alert_popup"))
        self.assertTrue(self.bridge.warm_up())
        self.assertEqual(self.env["eldercare.alert"].search_count([]), alerts)
        self.assertEqual(self.env["eldercare.call"].search_count([]), calls)
        self.assertEqual(
            len(self.bus_messages(self.operator, "eldercare_alert_popup")), popups
        )
        with self.assertRaises(AccessError):
            self.env["eldercare.pbx.bridge"].with_user(self.operator).warm_up()

    def test_spooled_alerts_are_idempotent(self):
        items = [
            {
                "linkedid": "1700000003.1",
                "uniqueid": "1700000003.1",
                "caller_num": ELDER_NUMBER,
                "did": EMERGENCY_DID,
                "received_at": "2026-11-20T08:15:30+08:00",
            },
            {"caller_num": ELDER_NUMBER},  # no linkedid: skipped
            "garbage",
        ]
        with mute_logger("odoo.addons.eldercare_asterisk.models.eldercare_pbx_bridge"):
            first = self.bridge.spooled_alerts(items)
            second = self.bridge.spooled_alerts(items)
        self.assertEqual(len(first), 1)
        self.assertEqual(first, second)
        alert = self.env["eldercare.alert"].browse(first[0]["alert_id"])
        self.assertEqual(alert.elder_id, self.elder)
        call = self.call_of("1700000003.1")
        self.assertEqual(str(call.started_at), "2026-11-20 00:15:30")
        self.assertEqual(call.alert_id, alert)

    def test_spooled_voice_menu_emergency_is_an_emergency_call_with_deadline(self):
        [row] = self.bridge.spooled_alerts(
            [
                {
                    "linkedid": "1700000014.1",
                    "caller_num": ELDER_NUMBER,
                    "did": SERVICE_DID,
                    "channel_kind": "ivr",
                    "received_at": "2026-11-20T08:15:30+08:00",
                }
            ]
        )
        alert = self.env["eldercare.alert"].browse(row["alert_id"])
        self.assertEqual(alert.channel, "ivr")
        self.assertEqual(
            alert.type_id, self.env.ref("eldercare_emergency.alert_type_emergency_call")
        )
        self.assertEqual(str(alert.received_at), "2026-11-20 00:15:30")
        self.assertTrue(alert.deadline > alert.received_at)
        self.assertEqual(alert.elder_id, self.elder)
        # the voice-menu key Odoo knows as emergency is told to the bridge
        self.assertEqual(self.bridge.bridge_config()["ivr_emergency_digits"], ["9"])

    def test_bridge_config_follows_configuration(self):
        config = self.bridge.bridge_config()
        self.assertIn(EMERGENCY_DID, config["emergency_dids"])
        self.assertIn(SERVICE_DID, config["service_dids"])
        self.assertNotIn(SERVICE_DID, config["emergency_dids"])
        self.assertEqual(config["operator_endpoints"]["7101"], self.operator.id)
        self.assertEqual(config["operator_channels"]["PJSIP/7101"], self.operator.id)
        # the cached configuration is refreshed when lines or extensions change
        self.env["eldercare.pbx.line"].create(
            {"name": "Second emergency", "number": "7902", "line_type": "emergency"}
        )
        self.operator2.eldercare_extension = "7202"
        config = self.bridge.bridge_config()
        self.assertIn("7902", config["emergency_dids"])
        self.assertEqual(config["operator_endpoints"].get("7202"), self.operator2.id)
        self.assertNotIn("7102", config["operator_endpoints"])

    def test_only_the_bridge_user_may_call_the_api(self):
        user = new_test_user(
            self.env,
            login="ec_pbx_intruder",
            groups="base.group_user,eldercare_base.group_eldercare_operator",
        )
        api = self.env["eldercare.pbx.bridge"].with_user(user)
        calls = [
            lambda: api.agi_route_batch([{"linkedid": "x", "did": EMERGENCY_DID}])[0],
            lambda: api.ivr_choice({"linkedid": "x", "digits": "9"}),
            lambda: api.ami_events([]),
            lambda: api.spooled_alerts([]),
            lambda: api.bridge_config(),
        ]
        for call in calls:
            with self.assertRaises(AccessError):
                call()
        self.assertFalse(
            self.env["eldercare.alert"].search([("call_linkedid", "=", "x")])
        )

    def test_bridge_user_has_no_other_access(self):
        self.assertTrue(
            self.bridge_user.has_group("eldercare_asterisk.group_eldercare_pbx_bridge")
        )
        self.assertFalse(self.bridge_user.has_group("base.group_user"))
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.bridge_user).browse(
                self.elder.id
            ).read(["name"])

    def test_bridge_user_does_not_follow_alerts(self):
        bridge = self.bridge.with_context(tracking_disable=False)
        result = bridge.agi_route_batch(
            [
                {
                    "linkedid": "1700000004.1",
                    "caller_num": ELDER_NUMBER,
                    "did": EMERGENCY_DID,
                }
            ]
        )[0]
        alert = self.env["eldercare.alert"].browse(result["alert_id"])
        self.assertNotIn(
            self.bridge_user.partner_id, alert.message_partner_ids, "no follower"
        )

    def test_call_logged_concurrently_keeps_the_alert_and_popup(self):
        # another request (the AMI events) inserted the row after our search
        Call = type(self.env["eldercare.call"])
        real_search = Call.search

        def search_missing(records, domain, *args, **kwargs):
            if domain == [("linkedid", "in", ["1700000005.1"])]:
                self.env.cr.execute(
                    "INSERT INTO eldercare_call (linkedid, direction, started_at, "
                    "disposition, company_id) VALUES (%s, 'inbound', now(), "
                    "'in_progress', %s)",
                    ("1700000005.1", self.env.company.id),
                )
                return records.browse()
            return real_search(records, domain, *args, **kwargs)

        Bridge = type(self.env["eldercare.pbx.bridge"])
        merges = []
        with (
            patch.object(Call, "search", search_missing),
            patch.object(
                Bridge,
                "_merge_calls_after_commit",
                lambda records, *args: merges.append(args),
            ),
            mute_logger("odoo.sql_db"),
        ):
            result = self.route("1700000005.1", ELDER_NUMBER, EMERGENCY_DID)
        self.assertEqual(result["route"], "emergency")
        self.assertEqual(result["call_id"], 0, "the other request owns the row")
        alert = self.env["eldercare.alert"].browse(result["alert_id"])
        self.assertTrue(alert.exists())
        popups = self.bus_messages(self.operator, "eldercare_alert_popup")
        self.assertIn(alert.id, [p["alert"]["id"] for p in popups])
        # the routing answer is merged into the other request's row once this
        # transaction is committed: the row gets its route, alert and elder
        self.assertEqual([m[0] for m in merges], ["1700000005.1"])
        self.env["eldercare.pbx.bridge"].sudo()._merge_call_now(*merges[0])
        call = self.call_of("1700000005.1")
        self.assertEqual(call.route, "emergency")
        self.assertEqual(call.alert_id, alert)
        self.assertEqual(call.elder_id, self.elder)
        self.assertEqual(call.line_id, self.line_emergency)

    def test_call_updated_concurrently_raises_the_alert_then_logs_the_call(self):
        """The AMI events updated the call row since the routing request
        began (PostgreSQL refuses the routing's write): the alert and its
        popup are not held back, the call row gets its route, alert and elder
        right after the commit."""
        linkedid = "1700000006.1"
        self.env["eldercare.call"].create(
            {"linkedid": linkedid, "direction": "inbound"}
        )
        Call = type(self.env["eldercare.call"])
        real_write = Call.write
        refused = []

        def write_refused_once(records, vals):
            if "alert_id" in vals and not refused:
                refused.append(dict(vals))
                raise psycopg2.errors.SerializationFailure("concurrent update")
            return real_write(records, vals)

        with patch.object(Call, "write", write_refused_once):
            result = self.route(linkedid, ELDER_NUMBER, EMERGENCY_DID)
        self.assertTrue(refused, "the call row write was refused")
        alert = self.env["eldercare.alert"].browse(result["alert_id"])
        self.assertTrue(alert.exists())
        popups = self.bus_messages(self.operator, "eldercare_alert_popup")
        self.assertIn(alert.id, [p["alert"]["id"] for p in popups])
        self.assertFalse(self.call_of(linkedid).alert_id, "not in this transaction")
        # what runs once the request's transaction has committed
        self.run_after_commit_work()
        call = self.call_of(linkedid)
        self.assertEqual(call.route, "emergency")
        self.assertEqual(call.alert_id, alert)
        self.assertEqual(call.elder_id, self.elder)

    def test_did_the_dialplan_knows_as_emergency_stays_emergency(self):
        """Odoo's line table says "service" (a wrong edit): the dialplan's
        EC_LINE=emergency wins, the call raises its alert."""
        result = self.route("1700000013.1", ELDER_NUMBER, SERVICE_DID, line="emergency")
        self.assertEqual(result["route"], "emergency")
        self.assertEqual(result["queue"], "eldercare-emergency")
        alert = self.env["eldercare.alert"].browse(result["alert_id"])
        self.assertEqual(alert.elder_id, self.elder)
        self.assertEqual(
            alert.type_id, self.env.ref("eldercare_emergency.alert_type_emergency_call")
        )
        # and Odoo saying emergency wins over the dialplan saying service
        result = self.route("1700000013.2", ELDER_NUMBER, EMERGENCY_DID, line="service")
        self.assertEqual(result["route"], "emergency")
        self.assertTrue(result["alert_id"])

    def test_heartbeat_shows_unrecorded_alarms_to_supervisors(self):
        supervisor = new_test_user(
            self.env,
            login="ec_pbx_supervisor",
            groups="base.group_user,eldercare_base.group_eldercare_supervisor",
        )
        self.bridge.bridge_heartbeat(
            {
                "bridge": "pbx-1",
                "pending": 3,
                "oldest_pending_seconds": 42,
                "dead_letters": [
                    {
                        "linkedid": "dl-1",
                        "caller_num": ELDER_NUMBER,
                        "did": EMERGENCY_DID,
                        "attempts": 8,
                        "error": "Odoo did not record it",
                    }
                ],
                "emergency_queue_members": 0,
            }
        )
        data = self.env["eldercare.alert"].with_user(supervisor).get_dashboard_data()
        [bridge] = [b for b in data["bridges"] if b["name"] == "pbx-1"]
        self.assertEqual(bridge["pending"], 3)
        self.assertGreaterEqual(bridge["oldest_pending_seconds"], 42)
        self.assertFalse(bridge["stale"])
        self.assertEqual(bridge["dead_letters"][0]["linkedid"], "dl-1")
        # an emergency queue without a logged-in member: nobody is on duty
        self.assertTrue(data["no_operator_on_duty"])
        # operators do not get the bridge's internals
        data = self.env["eldercare.alert"].with_user(self.operator).get_dashboard_data()
        self.assertEqual(data["bridges"], [])
        # a report with nothing pending clears the figures
        self.bridge.bridge_heartbeat({"bridge": "pbx-1", "pending": 0})
        data = self.env["eldercare.alert"].with_user(supervisor).get_dashboard_data()
        [bridge] = [b for b in data["bridges"] if b["name"] == "pbx-1"]
        self.assertEqual((bridge["pending"], bridge["dead_letters"]), (0, []))
