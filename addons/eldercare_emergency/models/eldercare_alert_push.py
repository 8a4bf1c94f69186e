"""What operators see pushed to their browser about an alert: its summary,
the elder card, the popup and the dashboard updates (sent through the
operator push mixin, eldercare.operator.push.mixin)."""

from odoo import fields, models


class EldercareAlert(models.Model):
    _inherit = "eldercare.alert"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ bus
    def _eldercare_alert_summary(self):
        self.ensure_one()
        alert = self.sudo()
        to_str = fields.Datetime.to_string
        states = dict(self._fields["state"]._description_selection(self.env))
        channels = dict(self._fields["channel"]._description_selection(self.env))
        return {
            "id": alert.id,
            "name": alert.name,
            "state": alert.state,
            "state_label": states.get(alert.state),
            "channel": alert.channel,
            "channel_label": channels.get(alert.channel),
            "type": {
                "id": alert.type_id.id,
                "name": alert.type_id.name,
                "code": alert.type_id.code,
            },
            "elder_id": alert.elder_id.id,
            "elder_name": alert.elder_id.name or False,
            "elder_age": alert.elder_id.age or False,
            "caller_number": alert.caller_number or False,
            "unknown_caller": alert.unknown_caller,
            "community": alert.community_id.name or False,
            "description": alert.description or False,
            "received_at": to_str(alert.received_at) if alert.received_at else False,
            "answered_at": to_str(alert.answered_at) if alert.answered_at else False,
            "deadline": to_str(alert.deadline) if alert.deadline else False,
            "reminder_at": to_str(alert.reminder_at) if alert.reminder_at else False,
            "deadline_state": alert._deadline_state(),
            "is_overdue": alert.is_overdue,
            "operator": {"id": alert.operator_id.id, "name": alert.operator_id.name}
            if alert.operator_id
            else False,
            "work_order": alert.work_order_id.name or False,
            "past_alert_count": alert.past_alert_count,
            "is_training": alert.is_training,
        }

    def _eldercare_elder_card(self):
        self.ensure_one()
        elder = self.elder_id.sudo()
        if not elder:
            return False
        if hasattr(elder, "_eldercare_elder_card"):
            card = elder._eldercare_elder_card()
        else:  # pragma: no cover - eldercare_base always provides it
            card = {"id": elder.id, "name": elder.name}
        card = dict(card)
        relations = dict(
            self.env["eldercare.relative"]
            ._fields["relation"]
            ._description_selection(self.env)
        )
        for relative in card.get("relatives") or []:
            relative["relation_label"] = relations.get(
                relative.get("relation"), relative.get("relation") or ""
            )
        card["past_alert_count"] = self.past_alert_count
        return card

    def _eldercare_popup_payload(self):
        self.ensure_one()
        return {
            "alert": self._eldercare_alert_summary(),
            "elder": self._eldercare_elder_card(),
        }

    def _send_popup(self, users=None):
        """Push the alert popup to on-duty operators (or the given users).

        The payload is built in each recipient's language."""
        if users is None:
            users = self.env["res.users"]._eldercare_alert_recipients()
        self._eldercare_bus_push(
            users, "eldercare_alert_popup", lambda a: a._eldercare_popup_payload()
        )
        return True

    def _broadcast_update(self):
        """Tell every operator's dashboard/popup that an alert changed."""
        if not self:
            return
        self._eldercare_bus_push(
            self.env["res.users"]._eldercare_operator_users(),
            "eldercare_alert_update",
            lambda a: {"alert": a._eldercare_alert_summary()},
        )
