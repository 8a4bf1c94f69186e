from unittest.mock import patch

import psycopg2
from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ELDER_NUMBER, EMERGENCY_DID, SERVICE_DID, EldercarePbxCase

T0 = 1763971200.0  # 2025-11-24 08:00:00 UTC
BRIDGE_LOGGER = "odoo.addons.eldercare_asterisk.models.eldercare_pbx_bridge"


def ev(name, linkedid, offset=0.0, **headers):
    event = {"Event": name, "Linkedid": linkedid, "Timestamp": f"{T0 + offset:.6f}"}
    event.update(headers)
    return event


@tagged("post_install", "-at_install", "eldercare_asterisk")
@freeze_time("2025-11-24 08:00:00")
class TestAmiEvents(EldercarePbxCase):
    def start_call(self, lid, caller, did):
        self.bridge.ami_events(
            [
                ev(
                    "Newchannel",
                    lid,
                    Uniqueid=lid,
                    Channel="PJSIP/trunk-00000099",
                    CallerIDNum=caller,
                    Exten=did,
                )
            ]
        )
        return self.route(lid, caller, did)

    def test_simulated_call_row_is_left_to_the_routing_lookup(self):
        """A simulated call is logged before Asterisk creates its channel: its
        Newchannel, arriving while the routing lookup runs, must not write the
        same row (one of the two transactions would fail and the call would
        miss its routing deadline); the lookup fills the channel instead."""
        lid = "ec-simulated-1"
        call = self.env["eldercare.call"].create(
            {
                "linkedid": lid,
                "uniqueid": lid,
                "direction": "inbound",
                "simulated": True,
                "did": EMERGENCY_DID,
                "caller_number": ELDER_NUMBER,
            }
        )
        channel = "Local/7901@eldercare-inbound-0000002a;1"
        self.bridge.ami_events(
            [ev("Newchannel", lid, Uniqueid=lid, Channel=channel, Exten=EMERGENCY_DID)]
        )
        self.assertFalse(call.channel, "routing not decided yet: row untouched")
        result = self.route(lid, ELDER_NUMBER, EMERGENCY_DID, channel=channel)
        self.assertEqual(result["call_id"], call.id)
        self.assertEqual(call.channel, channel)
        self.assertEqual(call.route, "emergency")
        self.assertTrue(call.alert_id)
        # training end to end: the alert says so and counts in no figure
        self.assertTrue(call.alert_id.is_training)
        self.assertFalse(
            self.env["eldercare.alert.report"].search(
                [("alert_id", "=", call.alert_id.id)]
            )
        )

    def test_service_call_lifecycle_with_popup(self):
        lid = "1763971200.11"
        result = self.bridge.ami_events(
            [
                ev(
                    "Newchannel",
                    lid,
                    Uniqueid=lid,
                    Channel="PJSIP/trunk-00000011",
                    CallerIDNum=ELDER_NUMBER,
                    CallerIDName="",
                    Exten=SERVICE_DID,
                    Context="eldercare-inbound",
                )
            ]
        )
        self.assertEqual(result["processed"], 1)
        call = self.call_of(lid)
        self.assertEqual(call.direction, "inbound")
        self.assertEqual(call.line_id, self.line_service)
        self.assertEqual(str(call.started_at), "2025-11-24 08:00:00")
        self.assertEqual(call.disposition, "in_progress")

        self.route(lid, ELDER_NUMBER, SERVICE_DID)
        self.bridge.ivr_choice({"linkedid": lid, "digits": "0"})
        self.assertEqual(call.elder_id, self.elder)

        self.bridge.ami_events(
            [
                ev(
                    "QueueCallerJoin",
                    lid,
                    8,
                    Queue="eldercare-service",
                    Channel="PJSIP/trunk-00000011",
                ),
                ev(
                    "DialBegin",
                    lid,
                    10,
                    Channel="PJSIP/trunk-00000011",
                    DestChannel="PJSIP/7101-00000012",
                    DestCallerIDNum="7101",
                    DestLinkedid=lid,
                ),
            ]
        )
        popups = self.bus_messages(self.operator, "eldercare_call_popup")
        self.assertEqual(len(popups), 1, "the ringing operator sees the elder file")
        self.assertEqual(popups[0]["elder"]["id"], self.elder.id)
        self.assertEqual(popups[0]["elder"]["name"], "张桂兰")
        self.assertEqual(popups[0]["call"]["id"], call.id)
        self.assertFalse(self.bus_messages(self.operator2, "eldercare_call_popup"))
        self.assertEqual(call.popup_user_ids, self.operator)
        self.assertFalse(call.answered_at, "ringing is not answering")

        # the same DialBegin replayed by the bridge does not pop up twice
        self.bridge.ami_events(
            [
                ev(
                    "DialBegin",
                    lid,
                    10,
                    DestChannel="PJSIP/7101-00000012",
                    DestLinkedid=lid,
                )
            ]
        )
        self.assertEqual(
            len(self.bus_messages(self.operator, "eldercare_call_popup")), 1
        )

        self.bridge.ami_events(
            [
                ev(
                    "BridgeEnter",
                    lid,
                    25,
                    Channel="PJSIP/trunk-00000011",
                    Uniqueid=lid,
                    BridgeNumChannels="1",
                ),
                ev(
                    "BridgeEnter",
                    lid,
                    25,
                    Channel="PJSIP/7101-00000012",
                    Uniqueid="1763971210.12",
                    BridgeNumChannels="2",
                ),
            ]
        )
        self.assertEqual(call.operator_id, self.operator)
        self.assertEqual(str(call.answered_at), "2025-11-24 08:00:25")
        self.assertEqual(call.queue, "eldercare-service")

        # the operator leg hangs up first: the call is not over yet
        self.bridge.ami_events(
            [ev("Hangup", lid, 80, Uniqueid="1763971210.12", Cause="16")]
        )
        self.assertFalse(call.ended_at)
        self.bridge.ami_events(
            [ev("Hangup", lid, 85, Uniqueid=lid, Cause="16", **{"Cause-txt": "Normal"})]
        )
        self.assertEqual(str(call.ended_at), "2025-11-24 08:01:25")
        self.assertEqual(call.ring_seconds, 25)
        self.assertEqual(call.talk_seconds, 60)
        self.assertEqual(call.disposition, "answered")
        self.assertTrue(call.answered_60)
        self.assertTrue(call.offered)
        self.assertEqual(call.answered_60_rate, 100.0)
        self.assertEqual(call.hangup_cause, "16 Normal")

    def test_emergency_call_pops_the_alert_to_the_ringing_operator(self):
        lid = "1763971200.21"
        route = self.start_call(lid, ELDER_NUMBER, EMERGENCY_DID)
        self.env.cr.precommit.run()
        before = len(self.bus_messages(self.operator2, "eldercare_alert_popup"))
        self.bridge.ami_events(
            [
                ev(
                    "AgentCalled",
                    lid,
                    3,
                    DestChannel="Local/7102@eldercare-operators-00000001;1",
                ),
                ev(
                    "DialBegin",
                    lid,
                    3,
                    DestChannel="Local/7102@eldercare-operators-00000001;1",
                ),
            ]
        )
        popups = self.bus_messages(self.operator2, "eldercare_alert_popup")
        self.assertEqual(len(popups), before + 1)
        self.assertEqual(popups[-1]["alert"]["id"], route["alert_id"])
        self.assertEqual(popups[-1]["elder"]["id"], self.elder.id)
        self.bridge.ami_events(
            [
                ev(
                    "AgentConnect",
                    lid,
                    9,
                    Queue="eldercare-emergency",
                    DestChannel="Local/7102@eldercare-operators-00000001;1",
                    Interface="Local/7102@eldercare-operators",
                    HoldTime="9",
                ),
                ev("Hangup", lid, 40, Uniqueid=lid, Cause="16"),
            ]
        )
        call = self.call_of(lid)
        self.assertEqual(call.operator_id, self.operator2)
        self.assertEqual(call.ring_seconds, 9)
        self.assertEqual(call.talk_seconds, 31)
        self.assertEqual(call.alert_id.id, route["alert_id"])

    def test_abandoned_call(self):
        lid = "1763971200.31"
        self.start_call(lid, "13600000009", SERVICE_DID)
        self.bridge.ivr_choice({"linkedid": lid, "digits": "0"})
        self.bridge.ami_events([ev("Hangup", lid, 95, Uniqueid=lid, Cause="16")])
        call = self.call_of(lid)
        self.assertEqual(call.disposition, "abandoned")
        self.assertEqual(call.ring_seconds, 95)
        self.assertFalse(call.operator_id)
        self.assertTrue(call.offered)
        self.assertFalse(call.answered_180)
        self.assertEqual(call.answered_180_rate, 0.0)

    def test_malformed_events_are_skipped(self):
        lid = "1763971200.41"
        self.route(lid, ELDER_NUMBER, SERVICE_DID)
        events = [
            None,
            "garbage",
            42,
            {},
            {"Event": 5},
            {"Event": "Hangup"},
            {"Event": "DialBegin", "Linkedid": "no-such-call", "DestChannel": 7},
            {"Event": "BridgeEnter", "Linkedid": lid, "BridgeNumChannels": "many"},
            {"Event": "Hangup", "Linkedid": lid, "Uniqueid": lid, "Timestamp": "x"},
            {"Event": "FullyBooted"},
        ]
        with mute_logger(BRIDGE_LOGGER):
            result = self.bridge.ami_events(events)
        self.assertEqual(result["skipped"], 6)
        self.assertEqual(result["processed"], 3)
        self.assertEqual(result["ignored"], 1)
        # the good Hangup got through despite its bad timestamp
        self.assertTrue(self.call_of(lid).ended_at)
        with mute_logger(BRIDGE_LOGGER):
            self.assertEqual(self.bridge.ami_events("nonsense")["processed"], 0)

    def test_unknown_call_is_logged_from_its_first_channel(self):
        lid = "1763971200.51"
        self.bridge.ami_events(
            [
                ev(
                    "Newchannel",
                    lid,
                    Uniqueid="1763971200.52",
                    Channel="PJSIP/trunk-00000052",
                ),
                ev(
                    "Newchannel",
                    lid,
                    Uniqueid=lid,
                    Channel="PJSIP/7101-00000051",
                    CallerIDNum="7101",
                    Exten="13600000009",
                    Context="eldercare-operators",
                ),
            ]
        )
        call = self.call_of(lid)
        self.assertEqual(len(call), 1)
        self.assertEqual(call.direction, "outbound")
        self.assertEqual(call.initiated_by_id, self.operator)
        self.assertEqual(call.dialed_number, "13600000009")

    def test_inbound_call_whose_routing_lookup_never_came_has_its_elder(self):
        """The bridge answered a service call from its replica and dropped the
        lookup Odoo was too busy for: the AMI events alone log the call with
        the elder, as the operator's call log and the elder's history show."""
        lid = "1763971200.61"
        self.bridge.ami_events(
            [
                ev(
                    "Newchannel",
                    lid,
                    Uniqueid=lid,
                    Channel="PJSIP/trunk-00000061",
                    CallerIDNum=ELDER_NUMBER,
                    Exten=SERVICE_DID,
                ),
                ev("Hangup", lid, 20, Uniqueid=lid, Cause="16"),
            ]
        )
        call = self.call_of(lid)
        self.assertEqual(call.direction, "inbound")
        self.assertEqual(call.elder_id, self.elder)
        self.assertIn(call, self.elder.eldercare_call_ids)
        stranger = "1763971200.62"
        self.bridge.ami_events(
            [
                ev(
                    "Newchannel",
                    stranger,
                    Uniqueid=stranger,
                    Channel="PJSIP/trunk-00000062",
                    CallerIDNum="13600000077",
                    Exten=SERVICE_DID,
                )
            ]
        )
        self.assertFalse(self.call_of(stranger).elder_id)

    def test_a_caller_id_set_after_the_channel_names_the_elder(self):
        """A Local channel's first event has no caller id (``<unknown>``):
        the ``NewCallerid`` of the call's first channel fills the number and
        the elder; another leg's, or a later change, leaves the log alone."""
        lid = "1763971200.81"
        first = {"Uniqueid": lid, "Channel": "Local/x@in-00000081;1"}
        self.bridge.ami_events(
            [
                ev(
                    "Newchannel",
                    lid,
                    **first,
                    CallerIDNum="<unknown>",
                    CallerIDName="<unknown>",
                    Exten=SERVICE_DID,
                ),
                ev(
                    "NewCallerid",
                    lid,
                    Uniqueid="1763971200.82",
                    Channel="Local/x@in-00000081;2",
                    CallerIDNum="13600000079",
                ),
            ]
        )
        call = self.call_of(lid)
        self.assertEqual(call.direction, "inbound")
        self.assertFalse(call.caller_number or call.caller_name or call.elder_id)
        self.bridge.ami_events(
            [
                ev("NewCallerid", lid, 1, **first, CallerIDNum=ELDER_NUMBER),
                ev("NewCallerid", lid, 2, **first, CallerIDNum="13600000079"),
            ]
        )
        self.assertEqual(call.caller_number, ELDER_NUMBER)
        self.assertEqual(call.elder_id, self.elder)
        self.assertIn(call, self.elder.eldercare_call_ids)

    def test_a_burst_of_new_calls_finds_each_elder_in_one_lookup(self):
        """Alarms of a whole building arriving in one AMI batch: every call is
        logged with its own elder (written in any form), a stranger with none,
        and the elders are looked up once for the batch, not once a call."""
        elders = self.elder | self.env["res.partner"].create(
            [
                {
                    "name": name,
                    "is_elder": True,
                    "elder_phone_ids": [
                        Command.create(
                            {"number": number, "phone_type": "emergency_button"}
                        )
                    ],
                }
                for name, number in (
                    ("刘淑珍", "13700007011"),
                    ("陈国华", "13700007012"),
                )
            ]
        )
        callers = [ELDER_NUMBER, "+86 137 0000 7011", "0086-13700007012", "13600000078"]
        lids = [f"1763971200.7{i}" for i in range(len(callers))]
        Phone = type(self.env["eldercare.phone"])
        with patch.object(
            Phone, "search_fetch", autospec=True, side_effect=Phone.search_fetch
        ) as lookups:
            self.bridge.ami_events(
                [
                    ev(
                        "Newchannel",
                        lid,
                        i,
                        Uniqueid=lid,
                        Channel=f"PJSIP/trunk-0000007{i}",
                        CallerIDNum=caller,
                        Exten=EMERGENCY_DID,
                    )
                    for i, (lid, caller) in enumerate(zip(lids, callers, strict=True))
                ]
            )
        self.assertEqual(
            [self.call_of(lid).elder_id for lid in lids],
            [*elders, self.env["res.partner"]],
        )
        self.assertEqual(lookups.call_count, 1, "one phone lookup for the batch")

    def test_outbound_busy(self):
        lid = "ec-outbound-1"
        call = self.env["eldercare.call"].create(
            {
                "linkedid": lid,
                "uniqueid": lid,
                "direction": "outbound",
                "dialed_number": "13600000009",
                "initiated_by_id": self.operator.id,
                "started_at": "2025-11-24 08:00:00",
            }
        )
        self.bridge.ami_events(
            [
                ev("Newchannel", lid, Uniqueid=lid, Channel="PJSIP/7101-00000061"),
                ev(
                    "DialBegin",
                    lid,
                    4,
                    Channel="PJSIP/7101-00000061",
                    DestChannel="PJSIP/trunk-00000062",
                ),
                ev("DialEnd", lid, 6, DialStatus="BUSY"),
                ev("Hangup", lid, 7, Uniqueid=lid, Cause="16"),
            ]
        )
        self.assertFalse(call.popup_user_ids, "no popup for the operator's own call")
        self.assertEqual(call.dial_status, "BUSY")
        self.assertEqual(call.disposition, "busy")
        self.assertFalse(call.offered)

    def test_events_of_a_call_updated_concurrently_follow_after_commit(self):
        """The routing request updated the call row since this event batch
        began (PostgreSQL refuses the batch's write): that event and the later
        ones of the same call are handled after the commit, in order; the
        other calls' events are not held back."""
        lid, other = "ec-conflict-1", "ec-conflict-2"
        self.start_call(lid, ELDER_NUMBER, EMERGENCY_DID)
        self.start_call(other, "13900000009", SERVICE_DID)
        Call = type(self.env["eldercare.call"])
        real_join = Call._on_queue_caller_join
        refused = []

        def join_refused_once(records, event, linkedid):
            if linkedid == lid and not refused:
                refused.append(linkedid)
                raise psycopg2.errors.SerializationFailure("concurrent update")
            return real_join(records, event, linkedid)

        events = [
            ev("QueueCallerJoin", lid, 1, Queue="eldercare-emergency"),
            ev("QueueCallerJoin", other, 1, Queue="eldercare-service"),
            ev("Hangup", lid, 5, Uniqueid=lid, Cause="16"),
        ]
        with patch.object(Call, "_on_queue_caller_join", join_refused_once):
            counts = self.bridge.ami_events(events)
        self.assertEqual(refused, [lid])
        self.assertEqual(counts["processed"], 3)
        call, other_call = self.call_of(lid), self.call_of(other)
        self.assertEqual(other_call.queue, "eldercare-service", "not held back")
        self.assertFalse(call.ended_at, "its Hangup waits behind the refused event")
        self.run_after_commit_work()
        self.assertTrue(self.call_of(lid).ended_at)
