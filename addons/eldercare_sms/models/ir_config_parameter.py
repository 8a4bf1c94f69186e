import secrets

from odoo import api, models


class IrConfigParameter(models.Model):
    _inherit = "ir.config_parameter"

    @api.model
    def _eldercare_sms_init_token(self):
        """Generate the callback secret once (never shipped in data)."""
        if not self.sudo().get_param("eldercare_sms.token"):
            self.sudo().set_param("eldercare_sms.token", secrets.token_urlsafe(24))
