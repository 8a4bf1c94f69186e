from datetime import datetime

from odoo.addons.eldercare_asterisk.tests.common import DialSyncMixin
from odoo.addons.eldercare_base.tests.common import EldercareCommon, eldercare_user


class CareCallCase(DialSyncMixin, EldercareCommon):
    """Work orders, a coordinator and the bridge's dialer, driven the way the
    bridge drives it: through ``dial_sync`` reports."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"]
        params.set_param("eldercare_care_calls.quiet_hours", "none")
        params.set_param("eldercare_care_calls.survey_delay_minutes", "0")
        params.set_param("eldercare_care_calls.max_attempts", "3")
        params.set_param("eldercare_care_calls.retry_minutes", "20")
        cls.coordinator = eldercare_user(
            cls.env, "ec_care_coordinator", "协调员 刘", "supervisor"
        )
        cls.worker = eldercare_user(cls.env, "ec_care_worker", "社区 王工", "operator")
        cls.elder_a.worker_id = cls.worker
        cls.bridge = cls.env["eldercare.pbx.bridge"].with_user(
            cls.env.ref("eldercare_asterisk.user_eldercare_bridge")
        )
        cls.Call = cls.env["eldercare.care.call"]
        cls.followup = cls.env.ref(
            "eldercare_care_calls.mail_activity_type_care_call_followup"
        )

    def make_order(self, product=None, **vals):
        return self.env["eldercare.work.order"].create(
            {
                "elder_id": self.elder_a.id,
                "product_id": (product or self.plumbing).id,
                "provider_id": self.provider_1.id,
                "coordinator_id": self.coordinator.id,
                "date_scheduled": datetime(2026, 12, 1, 2, 0),
                **vals,
            }
        )

    def finish(self, order):
        order.action_assign()
        order.action_accept()
        order.action_start()
        order.action_done()
        return order

    def place(self, call):
        """The cron places the due care calls, the dialer takes them; returns
        the dial of ``call`` (None when it was not placed)."""
        self.Call._cron_place_due_calls()
        dials = self.sync()["dial"]
        request_ids = call.request_ids.ids
        mine = [dial for dial in dials if dial["id"] in request_ids]
        return mine[0] if mine else None

    def followups(self, record):
        return record.activity_ids.filtered(
            lambda a: a.activity_type_id == self.followup
        )
