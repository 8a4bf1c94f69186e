from odoo import api, models


class EldercareCall(models.Model):
    _inherit = "eldercare.call"

    @api.model
    def _selection_request_ref(self):
        return super()._selection_request_ref() + [
            (
                "eldercare.service.request",
                self.env["eldercare.service.request"]._description,
            )
        ]
