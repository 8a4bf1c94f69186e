from odoo import fields, models


class EldercareDialRequest(models.Model):
    _inherit = "eldercare.dial.request"  # pylint: disable=consider-merging-classes-inherited

    purpose = fields.Selection(
        selection_add=[
            ("survey", "Satisfaction Survey"),
            ("birthday", "Birthday Greeting"),
            ("service_reminder", "Service Reminder"),
        ],
        ondelete={
            "survey": "cascade",
            "birthday": "cascade",
            "service_reminder": "cascade",
        },
    )
