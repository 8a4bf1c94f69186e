from odoo import models

ALERT_LIMIT = 20
OPEN_STATES = ("new", "confirming", "confirmed", "dispatched")


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _eldercare_family_sections(self, relative):
        return [
            *super()._eldercare_family_sections(relative),
            self._eldercare_family_section(
                10,
                "alerts",
                "eldercare_family_emergency.portal_family_section_alerts",
                {"alerts": self._eldercare_family_alerts()},
            ),
        ]

    def _eldercare_family_alerts(self):
        """The elder's latest alerts with their outcome; the description (it
        may say what happened to the elder's health) only if the center
        allows it for this elder."""
        self.ensure_one()
        Alert = self.env["eldercare.alert"].sudo()
        alerts = Alert.search(
            [("elder_id", "=", self.id)], order="received_at desc", limit=ALERT_LIMIT
        )
        states = dict(Alert._fields["state"]._description_selection(self.env))
        show_health = self.sudo().family_show_health
        return [
            {
                "id": alert.id,
                "name": alert.name,
                "type": alert.type_id.name,
                "received_at": alert.received_at,
                "state": alert.state,
                "state_label": states.get(alert.state, alert.state),
                "outcome": alert.false_alarm_reason
                if alert.state == "false_alarm"
                else alert.result or "",
                "description": alert.description if show_health else False,
                "open": alert.state in OPEN_STATES,
            }
            for alert in alerts
        ]
