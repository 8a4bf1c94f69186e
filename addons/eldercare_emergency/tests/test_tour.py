import unittest
from unittest.mock import patch

from odoo.fields import Command
from odoo.tests import HttpCase, tagged

try:
    import websocket
except ImportError:  # pragma: no cover
    websocket = None

from odoo.addons.bus.models.bus import channel_with_db, dispatch, hashable
from odoo.addons.bus.websocket import WebsocketConnectionHandler
from odoo.addons.eldercare_base.tests.common import eldercare_area, eldercare_user


@tagged("post_install", "-at_install", "eldercare_tour")
class TestAlertTour(HttpCase):
    """Live popup in chromium: the bus websocket is enabled for this test.

    Odoo disables websockets in test mode and never runs post-commit hooks
    (so no ``NOTIFY imbus``); we allow the websocket and wake it up when a
    bus message is stored, which is what the NOTIFY would do in production.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if websocket is None:
            raise unittest.SkipTest("websocket-client module is not installed")
        cls.startClassPatcher(
            patch.object(
                WebsocketConnectionHandler, "websocket_allowed", return_value=True
            )
        )
        bus_model = cls.registry["bus.bus"]
        original_sendone = bus_model._sendone

        def _sendone(self, target, notification_type, message):
            original_sendone(self, target, notification_type, message)
            channel = hashable(channel_with_db(self.env.cr.dbname, target))

            # runs after bus.bus's own precommit hook created the rows
            @self.env.cr.precommit.add
            def wake_websockets():
                for ws in list(dispatch._channels_to_ws.get(channel, ())):
                    ws.trigger_notification_dispatching()

        cls.startClassPatcher(patch.object(bus_model, "_sendone", _sendone))

        city = eldercare_area(cls.env, "Tour City", "city")
        community = eldercare_area(cls.env, "Tour Community", "community", city)
        cls.worker = eldercare_user(cls.env, "ec_tour_worker", "Tour Worker", "worker")
        cls.operator = eldercare_user(
            cls.env, "ec_tour_operator", "Tour Operator", "operator"
        )
        cls.operator.eldercare_on_duty = True
        condition = cls.env["eldercare.health.condition"].create(
            {"name": "Tour Hypertension"}
        )
        cls.elder = cls.env["res.partner"].create(
            {
                "name": "Wang Tour",
                "is_elder": True,
                "elder_gender": "male",
                "community_id": community.id,
                "worker_id": cls.worker.id,
                "health_condition_ids": [Command.link(condition.id)],
                "elder_phone_ids": [
                    Command.create(
                        {"number": "13011110088", "phone_type": "emergency_button"}
                    )
                ],
                "relative_ids": [
                    Command.create(
                        {
                            "name": "Tour Grandson",
                            "relation": "grandchild",
                            "phone": "13900139088",
                            "work_unit": "Tour Steel Works",
                        }
                    )
                ],
            }
        )

    def test_alert_popup_confirm_dispatch(self):
        # raised from Python by the bridge before the operator's page loads:
        # on the dashboard, and delivered by the bus when the browser connects
        unknown = self.env["eldercare.alert"]._raise_from_calls(
            [{"linkedid": "tour-unknown-1", "caller_number": "13011119999"}]
        )[0]
        self.env.flush_all()
        self.env.cr.precommit.run()
        # a fresh page gets the bus messages of the last 50 s; in tests the rows
        # carry the (older) transaction start time, so date them "now"
        self.env.cr.execute(
            "UPDATE bus_bus SET create_date = clock_timestamp() AT TIME ZONE 'UTC' "
            "WHERE message LIKE %s",
            ["%eldercare_alert_popup%"],
        )
        self.start_tour(
            "/odoo/action-eldercare_emergency.eldercare_alert_dashboard_action",
            "eldercare_alert_popup_tour",
            login="ec_tour_operator",
            timeout=120,
        )
        alert = self.env["eldercare.alert"].search(
            [("caller_number", "=", "13011110088")]
        )
        self.assertEqual(len(alert), 1)
        self.assertEqual(alert.elder_id, self.elder)
        self.assertEqual(alert.state, "dispatched")
        self.assertEqual(
            alert.type_id, self.env.ref("eldercare_emergency.alert_type_emergency_call")
        )
        self.assertEqual(alert.operator_id, self.operator)
        self.assertTrue(alert.answered_at and alert.confirmed_at)
        self.assertEqual(alert.work_order_id.user_id, self.worker)
        self.assertEqual(alert.work_order_id.origin, "alert")
        self.assertEqual(unknown.state, "new")
        self.assertFalse(self.operator.eldercare_on_duty, "went off duty in the tour")
        self.assertFalse(unknown.elder_id)
