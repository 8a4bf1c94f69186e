from odoo import models


class EldercareWorkOrder(models.Model):
    _name = "eldercare.work.order"
    _inherit = ["eldercare.work.order", "eldercare.area.mixin"]
