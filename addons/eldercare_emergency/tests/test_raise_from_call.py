import json
from datetime import datetime

import psycopg2

from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import EldercareEmergencyCase


@tagged("post_install", "-at_install")
class TestRaiseFromCall(EldercareEmergencyCase):
    def test_known_caller_raises_alert_and_popup(self):
        alert = self.Alert._raise_from_calls(
            [
                {
                    "linkedid": "1700000000.101",
                    "caller_number": "+86 130 1111 0001",
                    "did": "96101",
                    "channel": "emergency_line",
                    "received_at": "2026-11-20T16:00:05+08:00",
                }
            ]
        )[0]
        self.assertEqual(alert.elder_id, self.elder)
        self.assertFalse(alert.unknown_caller)
        self.assertEqual(alert.channel, "emergency_line")
        self.assertEqual(alert.type_id, self.type_emergency)
        self.assertEqual(alert.caller_number_e164, "+8613011110001")
        # ISO string with offset stored as naive UTC
        self.assertEqual(alert.received_at, datetime(2026, 11, 20, 8, 0, 5))
        # popup to on-duty operators only, with the whole elder file
        popups = self._bus_messages("eldercare_alert_popup", self.operator)
        self.assertEqual(len(popups), 1)
        payload = json.loads(popups.message)["payload"]
        self.assertEqual(payload["alert"]["id"], alert.id)
        self.assertEqual(payload["elder"]["name"], "Zhang Guiying")
        relatives = {r["name"]: r for r in payload["elder"]["relatives"]}
        self.assertEqual(relatives["Li Ming"]["work_unit"], "Beijing No.3 Hospital")
        self.assertEqual(relatives["Li Ming"]["relation_label"], "Son")
        self.assertTrue(self._bus_messages("eldercare_alert_popup", self.operator2))
        self.assertFalse(self._bus_messages("eldercare_alert_popup", self.operator_off))

    def test_same_call_never_raises_two_alerts(self):
        vals = {
            "linkedid": "1700000000.202",
            "caller_number": "13011110001",
            "did": "96101",
            "channel": "emergency_line",
        }
        first = self.Alert._raise_from_calls([vals])[0]
        second = self.Alert._raise_from_calls([dict(vals, channel="ivr")])[0]
        self.assertEqual(first, second)
        self.assertEqual(
            self.Alert.search_count([("call_linkedid", "=", "1700000000.202")]), 1
        )
        # the database refuses a second alert for the same call
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.IntegrityError),
            self.env.cr.savepoint(),
        ):
            self.Alert.create({"call_linkedid": "1700000000.202", "channel": "ivr"})
        # alerts without a call id (manual) are not constrained
        self.assertNotEqual(self._new_alert(), self._new_alert())

    def test_unknown_caller_still_raises(self):
        alert = self.Alert._raise_from_calls(
            [{"linkedid": "1700000000.303", "caller_number": "13512345678"}]
        )[0]
        self.assertTrue(alert)
        self.assertFalse(alert.elder_id)
        self.assertTrue(alert.unknown_caller)
        self.assertEqual(alert.caller_number, "13512345678")
        self.assertEqual(alert.state, "new")
        self.assertIn("not on file", alert.message_ids[0].body)
        popups = self._bus_messages("eldercare_alert_popup", self.operator)
        payload = json.loads(popups[-1].message)["payload"]
        self.assertFalse(payload["elder"])
        self.assertEqual(payload["alert"]["caller_number"], "13512345678")

    def test_garbage_caller_id_never_raises(self):
        for raw in ("anonymous", "", None, "<script>", "++--", 12345):
            alert = self.Alert._raise_from_calls(
                [{"linkedid": f"garbage-{raw!r}", "caller_number": raw}]
            )[0]
            self.assertTrue(alert, f"alert raised for caller id {raw!r}")
            self.assertFalse(alert.elder_id)
        with mute_logger("odoo.addons.eldercare_emergency.models.eldercare_alert"):
            alert = self.Alert._raise_from_calls(
                [{"linkedid": "bad-date", "received_at": "not a date"}]
            )[0]
        self.assertTrue(alert.received_at)

    def test_ivr_type_code(self):
        alert = self.Alert._raise_from_calls(
            [
                {
                    "linkedid": "1700000000.404",
                    "caller_number": "13011110001",
                    "channel": "ivr",
                    "type_code": "fall",
                }
            ]
        )[0]
        self.assertEqual(alert.type_id, self.type_fall)
        self.assertEqual(alert.channel, "ivr")
        unknown_type = self.Alert._raise_from_calls(
            [{"linkedid": "1700000000.405", "channel": "weird", "type_code": "nope"}]
        )[0]
        self.assertEqual(unknown_type.channel, "emergency_line")
        self.assertEqual(unknown_type.type_id, self.type_emergency)

    def test_popup_in_each_operator_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"].search(
            [("name", "=", "eldercare_emergency")]
        )._update_translations(["zh_CN"])
        self.operator2.lang = "zh_CN"
        self.Alert._raise_from_calls(
            [{"linkedid": "1700000000.505", "caller_number": "13011110001"}]
        )[0]
        english = json.loads(
            self._bus_messages("eldercare_alert_popup", self.operator).message
        )["payload"]
        chinese = json.loads(
            self._bus_messages("eldercare_alert_popup", self.operator2).message
        )["payload"]
        self.assertEqual(english["alert"]["type"]["name"], "Emergency Call")
        self.assertEqual(chinese["alert"]["type"]["name"], "一键呼叫")
        self.assertEqual(chinese["alert"]["state_label"], "新报警")
        self.assertEqual(chinese["alert"]["channel_label"], "紧急呼叫专线")

    def test_popup_only_to_operators_of_the_company(self):
        other_company = self.env["res.company"].create({"name": "Other Center"})
        self.operator2.write(
            {
                "company_ids": [Command.set(other_company.ids)],
                "company_id": other_company.id,
            }
        )
        self.Alert._raise_from_calls(
            [{"linkedid": "1700000000.606", "caller_number": "13011110001"}]
        )[0]
        self.assertTrue(self._bus_messages("eldercare_alert_popup", self.operator))
        self.assertFalse(self._bus_messages("eldercare_alert_popup", self.operator2))
