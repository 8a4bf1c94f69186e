from odoo import _, fields, models
from odoo.exceptions import UserError


class EldercareBridgeKeyWizard(models.TransientModel):
    _name = "eldercare.bridge.key.wizard"
    _description = "Telephony Bridge API Key"

    key = fields.Char("API Key", readonly=True)
    login = fields.Char(default="eldercare_bridge", readonly=True)

    def action_generate(self):
        self.ensure_one()
        if not self.env.user.has_group("base.group_system"):
            raise UserError(_("Only administrators can create the bridge API key."))
        bridge_user = self.env.ref(
            "eldercare_asterisk.user_eldercare_bridge", raise_if_not_found=False
        )
        if not bridge_user:
            raise UserError(_("The telephony bridge user is missing."))
        key = (
            self.env["res.users.apikeys"]
            .with_user(bridge_user)
            .sudo()
            ._generate(None, "Eldercare telephony bridge", False)
        )
        self.write({"key": key, "login": bridge_user.login})
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
