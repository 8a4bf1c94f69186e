from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.eldercare_base.tools import count_into


class EldercareAlertType(models.Model):
    _name = "eldercare.alert.type"
    _description = "Emergency Alert Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Technical code used by the telephony bridge, e.g. illness, fall, care, "
        "proxy_payment, other, emergency.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    feedback_minutes = fields.Integer(
        string="Feedback Deadline (min)",
        default=30,
        required=True,
        help="Minutes after reception within which the alert must have a result.",
    )
    reminder_minutes = fields.Integer(
        string="Reminder Lead Time (min)",
        default=5,
        required=True,
        help="Minutes before the feedback deadline when the assignee and the "
        "supervisor are reminded.",
    )
    description = fields.Text(translate=True)
    alert_count = fields.Integer(compute="_compute_alert_count")

    _sql_constraints = [
        ("code_uniq", "unique(code)", "The code of an alert type must be unique."),
    ]

    def _compute_alert_count(self):
        count_into(self, "alert_count", "eldercare.alert", "type_id")

    @api.constrains("feedback_minutes", "reminder_minutes")
    def _check_minutes(self):
        for alert_type in self:
            if alert_type.feedback_minutes <= 0:
                raise ValidationError(
                    self.env._("The feedback deadline must be at least one minute.")
                )
            if not 0 <= alert_type.reminder_minutes < alert_type.feedback_minutes:
                raise ValidationError(
                    self.env._(
                        "The reminder lead time must be shorter than the feedback "
                        "deadline."
                    )
                )
