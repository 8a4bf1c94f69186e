from odoo import fields, models


class EldercareDialRequest(models.Model):
    _inherit = "eldercare.dial.request"

    purpose = fields.Selection(
        selection_add=[("payment", "Payment Reminder")],
        ondelete={"payment": "cascade"},
    )
