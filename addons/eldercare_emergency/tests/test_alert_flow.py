from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import Form, tagged

from odoo.addons.eldercare_base.tests.common import eldercare_user

from .common import EldercareEmergencyCase


@tagged("post_install", "-at_install")
class TestAlertFlow(EldercareEmergencyCase):
    def test_full_flow_with_timestamps_and_durations(self):
        with freeze_time("2026-11-20 08:00:00"):
            alert = self._new_alert(type_id=self.type_fall.id)
            self.assertEqual(alert.state, "new")
            self.assertTrue(alert.name.startswith("ALT/"))
            self.assertEqual(alert.deadline, datetime(2026, 11, 20, 8, 5))
        alert = alert.with_user(self.operator)
        with freeze_time("2026-11-20 08:00:40"):
            action = alert.action_call_back()
            self.assertEqual(alert.state, "confirming")
            self.assertEqual(alert.operator_id, self.operator)
            self.assertEqual(alert.answered_at, datetime(2026, 11, 20, 8, 0, 40))
            # default call back shows the elder's numbers
            self.assertEqual(action["tag"], "display_notification")
            self.assertIn("13011110001", action["params"]["message"])
            self.assertIn("010-65521234", action["params"]["message"])
        with freeze_time("2026-11-20 08:01:00"):
            alert.action_confirm()
            self.assertEqual(alert.state, "confirmed")
        with freeze_time("2026-11-20 08:01:30"):
            alert.action_notify()
            self.assertTrue(alert.notified_at)
            body = alert.message_ids[0].body
            # emergency contact first, whatever its sequence
            self.assertLess(body.index("Li Ming"), body.index("Neighbour Wu"))
            self.assertIn("No SMS sent", body)
            worker_activity = alert.activity_ids.filtered(
                lambda a: a.user_id == self.worker
            )
            self.assertTrue(worker_activity, "the community worker gets an activity")
        with freeze_time("2026-11-20 08:02:00"):
            wizard = Form(
                self.env["eldercare.alert.dispatch.wizard"]
                .with_user(self.operator)
                .with_context(default_alert_id=alert.id)
            )
            # the elder's community worker is proposed
            self.assertEqual(wizard.user_id, self.worker)
            wizard.note = "Bring the first-aid kit"
            wizard.save().action_dispatch()
            self.assertEqual(alert.state, "dispatched")
            order = alert.work_order_id
            self.assertEqual(order.origin, "alert")
            self.assertEqual(order.alert_id, alert)
            self.assertEqual(order.user_id, self.worker)
            self.assertEqual(order.state, "assigned")
            self.assertEqual(
                order.product_id,
                self.env.ref("eldercare_base.product_service_emergency_followup"),
            )
            self.assertIn(self.worker, alert.responder_ids)
            todo = order.activity_ids.filtered(lambda a: a.user_id == self.worker)
            # one urgent "go on site" to-do, not an ordinary work-order one too
            self.assertEqual(
                todo.activity_type_id,
                self.env.ref("eldercare_emergency.mail_activity_alert_dispatch"),
            )
            self.assertEqual(str(todo.date_deadline), "2026-11-20")
            self.assertIn(alert.name, str(todo.note))
            self.assertIn("Bring the first-aid kit", str(todo.note))
        with freeze_time("2026-11-20 08:03:00"):
            alert.action_on_site()
        with freeze_time("2026-11-20 08:04:00"):
            with self.assertRaisesRegex(UserError, "Record the result"):
                alert.action_resolve()
            alert.result = "Elder helped up, no injury; son informed."
            alert.action_resolve()
            self.assertEqual(alert.state, "resolved")
        with freeze_time("2026-11-20 08:10:00"):
            alert.satisfaction = "5"
            alert.action_close()
            self.assertEqual(alert.state, "closed")
        alert.invalidate_recordset()
        self.assertEqual(alert.answer_seconds, 40)
        self.assertEqual(alert.confirm_seconds, 60)
        self.assertEqual(alert.dispatch_seconds, 120)
        self.assertEqual(alert.onsite_seconds, 180)
        self.assertEqual(alert.resolve_seconds, 240)
        self.assertEqual(alert.close_seconds, 600)
        self.assertTrue(alert.answered_within_60)
        self.assertEqual(alert.answered_60_rate, 100.0)
        self.assertFalse(alert.is_overdue)

    def test_forbidden_transitions(self):
        alert = self._new_alert().with_user(self.operator)
        with self.assertRaises(UserError):
            alert.action_close()
        with self.assertRaises(UserError):
            alert.action_dispatch_wizard()  # not confirmed yet
        with self.assertRaises(UserError):
            alert.action_resolve()
        alert.action_confirm()
        with self.assertRaises(UserError):
            alert.action_confirm()
        alert.result = "Relative came by"
        alert.action_resolve()
        alert.action_close()
        # a closed alert cannot be re-dispatched nor marked false alarm
        with self.assertRaisesRegex(UserError, "cannot be dispatched again"):
            alert.action_dispatch_wizard()
        with self.assertRaisesRegex(UserError, "cannot be dispatched again"):
            alert._dispatch(user=self.worker)
        with self.assertRaises(UserError):
            alert.action_false_alarm("oops")
        with self.assertRaises(UserError):
            alert.action_take()

    def test_false_alarm_needs_reason_and_is_kept(self):
        alert = self._new_alert().with_user(self.operator)
        with self.assertRaisesRegex(UserError, "needs a reason"):
            alert.action_false_alarm("  ")
        action = alert.action_false_alarm_wizard()
        wizard = Form(
            self.env[action["res_model"]]
            .with_user(self.operator)
            .with_context(**action["context"])
        )
        wizard.reason = "Pressed by mistake while cleaning; elder is fine."
        wizard.save().action_confirm()
        self.assertEqual(alert.state, "false_alarm")
        self.assertTrue(alert.cancelled_at)
        self.assertIn("mistake", alert.false_alarm_reason)
        # kept and reported, never deleted
        with self.assertRaisesRegex(UserError, "never deleted"):
            alert.sudo().unlink()
        self.assertTrue(alert.exists())
        with self.assertRaises(UserError):
            alert.action_confirm()

    def test_take_visible_to_others(self):
        alert = self._new_alert()
        alert.with_user(self.operator).action_take()
        self.assertEqual(alert.operator_id, self.operator)
        # the other operators' dashboards are told who took it
        msgs = self._bus_messages("eldercare_alert_update", self.operator2)
        self.assertTrue(msgs)
        self.assertIn("Operator Wang", msgs[-1].message)
        # a second operator cannot take it, nor act on it
        with self.assertRaisesRegex(UserError, "already taken by Operator Wang"):
            alert.with_user(self.operator2).action_take()
        with self.assertRaisesRegex(UserError, "handled by Operator Wang"):
            alert.with_user(self.operator2).action_confirm()
        with self.assertRaisesRegex(UserError, "Only a supervisor"):
            alert.with_user(self.operator2).action_take(force=True)
        # a supervisor can take it over
        alert.with_user(self.supervisor).action_take_over()
        self.assertEqual(alert.operator_id, self.supervisor)
        dashboard = self.Alert.with_user(self.operator).get_dashboard_data()
        row = next(a for a in dashboard["alerts"] if a["id"] == alert.id)
        self.assertEqual(row["operator"]["name"], "Supervisor Chen")

    def test_dashboard_urgency_order(self):
        with freeze_time("2026-11-20 08:00:00"):
            overdue = self._new_alert(type_id=self.type_fall.id)
            overdue.with_user(self.operator).action_confirm()
        with freeze_time("2026-11-20 08:20:00"):
            later = self._new_alert(type_id=self.type_care.id)
            later.with_user(self.operator).action_confirm()
            soon = self._new_alert(type_id=self.type_fall.id)
            soon.with_user(self.operator).action_confirm()
            new = self._new_alert(type_id=self.type_care.id)
            data = self.Alert.with_user(self.operator).get_dashboard_data()
        mine = (new | overdue | soon | later).ids
        ids = [a["id"] for a in data["alerts"] if a["id"] in mine]
        self.assertEqual(ids, [new.id, overdue.id, soon.id, later.id])
        row = next(a for a in data["alerts"] if a["id"] == overdue.id)
        self.assertEqual(row["deadline_state"], "overdue")
        self.assertGreaterEqual(data["counters"]["overdue"], 1)

    def test_dispatch_needs_someone(self):
        alert = self._new_alert().with_user(self.operator)
        alert.action_confirm()
        with self.assertRaisesRegex(UserError, "Choose a community worker"):
            alert._dispatch()
        # re-dispatching an already dispatched alert adds a work order
        alert._dispatch(user=self.worker)
        alert._dispatch(user=self.worker2)
        self.assertEqual(len(alert.work_order_ids), 2)
        self.assertEqual(alert.work_order_id.user_id, self.worker2)
        self.assertEqual(alert.work_order_count, 2)

    def test_dispatch_provider_staff(self):
        product = self.env.ref("eldercare_base.product_service_emergency_followup")
        provider = self.env["res.partner"].create(
            {"name": "Anxin Home Services", "is_eldercare_provider": True}
        )
        self.env["eldercare.provider.contract"].create(
            {
                "name": "AX-2026-01",
                "provider_id": provider.id,
                "date_start": "2026-01-01",
                "state": "active",
                "area_ids": [Command.set(self.city.ids)],
                "line_ids": [
                    Command.create({"product_id": product.id, "price_unit": 50.0})
                ],
            }
        )
        staff_user = eldercare_user(
            self.env,
            "ec_staff_portal",
            "Staff Portal Ma",
            "base.group_portal",
            "provider",
        )
        staff = self.env["eldercare.provider.staff"].create(
            {"name": "Ma Li", "provider_id": provider.id, "user_id": staff_user.id}
        )
        alert = self._new_alert().with_user(self.operator)
        alert.action_confirm()
        wizard = Form(
            self.env["eldercare.alert.dispatch.wizard"]
            .with_user(self.operator)
            .with_context(default_alert_id=alert.id)
        )
        wizard.responder_type = "provider"
        self.assertFalse(wizard.user_id)
        wizard.staff_id = staff
        self.assertEqual(wizard.provider_id, provider)
        wizard.save().action_dispatch()
        order = alert.work_order_id
        self.assertEqual(alert.state, "dispatched")
        self.assertEqual(order.provider_id, provider)
        self.assertEqual(order.staff_id, staff)
        self.assertEqual(order.user_id, staff_user)
        self.assertEqual(order.state, "assigned")
        self.assertEqual(order.price_unit, 50.0)
        # the portal staff is told through the work order's messages
        self.assertIn(staff_user.partner_id, order.message_partner_ids)

    def test_direct_confirm_and_false_alarm_after_confirm(self):
        alert = self._new_alert().with_user(self.operator)
        # the operator heard the elder on the call: confirm without calling back
        alert.action_confirm()
        self.assertEqual(alert.state, "confirmed")
        self.assertEqual(alert.operator_id, self.operator)
        self.assertTrue(alert.answered_at and alert.confirmed_at)
        # on second thought it was nothing: still a false alarm, with a reason
        alert.action_false_alarm("Elder confused the button with the TV remote")
        self.assertEqual(alert.state, "false_alarm")
        with self.assertRaisesRegex(UserError, "cannot be dispatched again"):
            alert.action_dispatch_wizard()

    def test_unknown_caller_cannot_be_notified_or_dispatched(self):
        alert = self.Alert._raise_from_calls(
            [{"linkedid": "flow-unknown", "caller_number": "13599990000"}]
        )[0].with_user(self.operator)
        with self.assertRaisesRegex(UserError, "no elder on file"):
            alert.action_notify()
        alert.action_confirm()
        with self.assertRaisesRegex(UserError, "Identify the elder"):
            alert._dispatch(user=self.worker)
        # once identified, the usual flow continues
        alert.elder_id = self.elder
        alert._dispatch(user=self.worker)
        self.assertEqual(alert.state, "dispatched")
