"""The telephony bridge's API key: created by an administrator, rotated by a
supervisor or an administrator.

Rotation revokes every earlier key of the bridge user at once (a leaked key
stops working immediately) and shows the new one once. The bridge reads its
key from the file named by EC_ODOO_PASSWORD_FILE and picks a new content up
within seconds, without a restart (bridge/README.md, "Key rotation").
"""

import logging

from odoo import _, fields, models
from odoo.exceptions import AccessError, UserError

_logger = logging.getLogger(__name__)

ROTATE_GROUPS = ("base.group_system", "eldercare_base.group_eldercare_supervisor")


class EldercareBridgeKeyWizard(models.TransientModel):
    _name = "eldercare.bridge.key.wizard"
    _description = "Telephony Bridge API Key"

    key = fields.Char("API Key", readonly=True)
    login = fields.Char(default="eldercare_bridge", readonly=True)
    revoked_count = fields.Integer("Keys Revoked", readonly=True)

    def _bridge_user(self):
        bridge_user = self.env.ref(
            "eldercare_asterisk.user_eldercare_bridge", raise_if_not_found=False
        )
        if not bridge_user:
            raise UserError(_("The telephony bridge user is missing."))
        return bridge_user

    def _issue_key(self, bridge_user):
        return (
            self.env["res.users.apikeys"]
            .with_user(bridge_user)
            .sudo()
            ._generate(None, "Eldercare telephony bridge", False)
        )

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_generate(self):
        self.ensure_one()
        if not self.env.user.has_group("base.group_system"):
            raise UserError(_("Only administrators can create the bridge API key."))
        bridge_user = self._bridge_user()
        self.write({"key": self._issue_key(bridge_user), "login": bridge_user.login})
        return self._reopen()

    def action_rotate(self):
        """Revoke every key of the bridge user and issue a new one."""
        self.ensure_one()
        if not any(self.env.user.has_group(group) for group in ROTATE_GROUPS):
            raise AccessError(
                _("Only supervisors and administrators can rotate the bridge key.")
            )
        bridge_user = self._bridge_user()
        old_keys = (
            self.env["res.users.apikeys"]
            .sudo()
            .search([("user_id", "=", bridge_user.id)])
        )
        count = len(old_keys)
        old_keys._remove()
        key = self._issue_key(bridge_user)
        self.write({"key": key, "login": bridge_user.login, "revoked_count": count})
        _logger.warning(
            "telephony bridge API key rotated by %s (uid %s): %d key(s) revoked",
            self.env.user.login,
            self.env.uid,
            count,
        )
        return self._reopen()
