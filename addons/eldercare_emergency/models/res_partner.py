from odoo import fields, models


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
        counts = dict(
            self.env["eldercare.alert"]._read_group(
                [("elder_id", "in", self.ids)], ["elder_id"], ["__count"]
            )
        )
        for partner in self:
            partner.eldercare_alert_count = counts.get(partner, 0)

    def action_view_eldercare_alerts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "eldercare_emergency.eldercare_alert_action"
        )
        action["domain"] = [("elder_id", "=", self.id)]
        action["context"] = {"default_elder_id": self.id}
        return action
