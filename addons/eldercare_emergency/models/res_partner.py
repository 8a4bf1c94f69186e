from odoo import fields, models

from odoo.addons.eldercare_base.tools import count_into


class ResPartner(models.Model):
    _inherit = "res.partner"

    eldercare_alert_ids = fields.One2many(
        "eldercare.alert",
        "elder_id",
        string="Alerts",
        groups="eldercare_base.group_eldercare_operator,"
        "eldercare_base.group_eldercare_worker",
    )
    eldercare_alert_count = fields.Integer(
        string="Alert Count",
        compute="_compute_eldercare_alert_count",
        groups="eldercare_base.group_eldercare_operator,"
        "eldercare_base.group_eldercare_worker",
    )

    def _compute_eldercare_alert_count(self):
        count_into(self, "eldercare_alert_count", "eldercare.alert", "elder_id")

    def action_view_eldercare_alerts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "eldercare_emergency.eldercare_alert_action"
        )
        action["domain"] = [("elder_id", "=", self.id)]
        action["context"] = {"default_elder_id": self.id}
        return action
