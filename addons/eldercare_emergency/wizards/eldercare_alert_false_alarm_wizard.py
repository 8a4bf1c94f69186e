from odoo import fields, models


class EldercareAlertFalseAlarmWizard(models.TransientModel):
    _name = "eldercare.alert.false.alarm.wizard"
    _description = "Mark an Alert as False Alarm"

    alert_id = fields.Many2one("eldercare.alert", required=True, ondelete="cascade")
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.alert_id.action_false_alarm(self.reason)
        return {"type": "ir.actions.act_window_close"}
