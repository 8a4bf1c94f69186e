from odoo import models


class EldercareAlert(models.Model):
    _name = "eldercare.alert"
    _inherit = ["eldercare.alert", "eldercare.area.mixin"]
