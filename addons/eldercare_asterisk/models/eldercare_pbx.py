"""PBX settings access and the actions Odoo starts on Asterisk (AMI)."""

import logging
import re
import uuid

from odoo import _, api, models
from odoo.exceptions import UserError

from ..tools.ami_client import AmiClient, AmiError

_logger = logging.getLogger(__name__)

PARAM_PREFIX = "eldercare_asterisk."
DEFAULTS = {
    "ami_host": "127.0.0.1",
    "ami_port": "5038",
    "ami_user": "odoo",
    "ami_secret": "",
    "agi_bind": "127.0.0.1",
    "agi_port": "4573",
    "agi_allowed_clients": "127.0.0.1",
}
CONTEXT_INBOUND = "eldercare-inbound"
CONTEXT_OUTBOUND = "eldercare-outbound"
AMI_TIMEOUT = 5.0


def dialable(number):
    """'+86 138-0013-8000' -> '+8613800138000'; '' when nothing to dial."""
    number = (number or "").strip()
    digits = re.sub(r"[^0-9*#]", "", number)
    if number.startswith("+") and digits:
        return "+" + digits
    return digits


class EldercarePbx(models.AbstractModel):
    _name = "eldercare.pbx"
    _description = "Telephone System (Asterisk)"

    @api.model
    def _get_settings(self):
        params = self.env["ir.config_parameter"].sudo()
        return {
            key: params.get_param(PARAM_PREFIX + key, default) or default
            for key, default in DEFAULTS.items()
        }

    @api.model
    def _ami(self):
        settings = self._get_settings()
        return AmiClient(
            settings["ami_host"],
            settings["ami_port"],
            settings["ami_user"],
            settings["ami_secret"],
            timeout=AMI_TIMEOUT,
        )

    @api.model
    def _ami_user_error(self, error):
        if error.kind == "auth":
            return UserError(
                _(
                    "The phone system (Asterisk) at %(host)s:%(port)s refused the "
                    "login — check the AMI user and secret in the PBX settings.",
                    host=error.host,
                    port=error.port,
                )
            )
        if error.kind == "action":
            return UserError(
                _("The phone system (Asterisk) refused the call: %s", str(error))
            )
        return UserError(
            _(
                "The phone system (Asterisk) did not answer at %(host)s:%(port)s — "
                "check PBX settings.",
                host=error.host,
                port=error.port,
            )
        )

    @api.model
    def _originate(self, **kwargs):
        try:
            with self._ami() as ami:
                return ami.originate(**kwargs)
        except AmiError as error:
            _logger.warning("AMI originate failed: %s", error)
            raise self._ami_user_error(error) from None

    @api.model
    def action_test_connection(self):
        try:
            with self._ami() as ami:
                banner = ami.banner
        except AmiError as error:
            raise self._ami_user_error(error) from None
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": _("Connected"),
                "message": _("The phone system answered: %s", banner),
            },
        }

    @api.model
    def _new_linkedid(self):
        return f"ec-{uuid.uuid4().hex[:20]}"

    @api.model
    def click_to_call(self, number, elder=None, alert=None, label=None):
        """Ring the current operator's phone, then dial ``number`` (AMI
        Originate). The call is logged as outbound and linked to the elder and
        alert. Returns a notification action for the web client."""
        user = self.env.user
        if not user.eldercare_endpoint:
            raise UserError(
                _(
                    "You have no phone extension yet. Ask an administrator to set "
                    "your extension (Settings > Users > Telephony)."
                )
            )
        to_dial = dialable(number)
        if not to_dial:
            raise UserError(_("There is no telephone number to call."))
        elder = elder or self.env["res.partner"]
        alert = alert or self.env["eldercare.alert"]
        label = label or elder.name or to_dial
        linkedid = self._new_linkedid()
        call = (
            self.env["eldercare.call"]
            .sudo()
            .create(
                {
                    "linkedid": linkedid,
                    "uniqueid": linkedid,
                    "channel": user.eldercare_endpoint,
                    "direction": "outbound",
                    "dialed_number": to_dial,
                    "caller_number": user.eldercare_extension,
                    "elder_id": elder.id,
                    "alert_id": alert.id,
                    "initiated_by_id": user.id,
                    "operator_id": user.id,
                    "company_id": self.env.company.id,
                }
            )
        )
        self._originate(
            channel=user.eldercare_endpoint,
            context=CONTEXT_OUTBOUND,
            exten=to_dial,
            priority=1,
            callerid=f'"{label}" <{to_dial}>',
            variables={
                "EC_CALL_ID": call.id,
                "EC_ELDER_ID": elder.id or 0,
                "EC_ALERT_ID": alert.id or 0,
                "EC_OPERATOR_ID": user.id,
            },
            channel_id=linkedid,
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "title": _("Calling %s", label),
                "message": _(
                    "Your phone (%(ext)s) rings first: pick it up and Asterisk dials "
                    "%(number)s.",
                    ext=user.eldercare_extension or user.eldercare_endpoint,
                    number=to_dial,
                ),
                "sticky": False,
            },
        }

    @api.model
    def simulate_call(self, did, caller_number, caller_name="", wait_seconds=120):
        """Training: place a call on ``did`` as if ``caller_number`` dialled it.
        A Local channel enters the inbound dialplan exactly like a trunk call;
        its other half just waits (silence) so the call stays up."""
        to_dial = dialable(did)
        if not to_dial:
            raise UserError(_("Choose the line to call."))
        caller = dialable(caller_number) or "anonymous"
        linkedid = self._new_linkedid()
        line = (
            self.env["eldercare.pbx.line"]
            .sudo()
            .search([("number", "=", to_dial)], limit=1)
        )
        call = (
            self.env["eldercare.call"]
            .sudo()
            .create(
                {
                    "linkedid": linkedid,
                    "uniqueid": linkedid,
                    "direction": "inbound",
                    "simulated": True,
                    "did": to_dial,
                    "line_id": line.id,
                    "caller_number": caller,
                    "caller_name": caller_name or False,
                    "initiated_by_id": self.env.user.id,
                }
            )
        )
        self._originate(
            channel=f"Local/{to_dial}@{CONTEXT_INBOUND}",
            application="Wait",
            data=str(int(wait_seconds)),
            callerid=f'"{caller_name or caller}" <{caller}>',
            variables={"EC_CALL_ID": call.id, "EC_SIMULATED": 1},
            channel_id=linkedid,
            other_channel_id=f"{linkedid}-2",
        )
        return call
