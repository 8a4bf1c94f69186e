"""PBX settings and the calls Odoo asks the phone system for.

Odoo never connects to Asterisk: every outbound call is an
``eldercare.dial.request`` that the bridge's dialer places through its one AMI
connection (see ``eldercare_dial_request.py``)."""

import logging
import re

from odoo import _, api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

PARAM_PREFIX = "eldercare_asterisk."
DEFAULTS = {
    "agi_bind": "127.0.0.1",
    "agi_port": "4573",
    "agi_allowed_clients": "127.0.0.1",
    "dial_out_context": "eldercare-dialer-out",
}
CONTEXT_INBOUND = "eldercare-inbound"
CONTEXT_OUTBOUND = "eldercare-outbound"
# a request still queued after this long means the dialer is not polling
DIALER_STALE_SECONDS = 15


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
    def _eldercare_best_number(self, record):
        """THE answer to "which number do we call for this person" (elder,
        relative, staff user or any partner); False when none is on file.

        * elder / partner: mobile, home phone, the first active registered
          phone (one-key phone, landline...), then the partner's phone;
        * relative (``eldercare.relative``): the relative's phone;
        * user (``res.users``): their partner's numbers as above."""
        if not record:
            return False
        record.ensure_one()
        record = record.sudo()
        if record._name == "eldercare.relative":
            return record.phone or False
        if record._name == "res.users":
            record = record.partner_id
        if record._name != "res.partner":
            raise UserError(_("Cannot tell which number to call for %s.", record))
        return record._eldercare_best_number()

    @api.model
    def _dial(self, vals):
        """Queue one outbound call for the dialer; returns the request."""
        return self.env["eldercare.dial.request"].sudo().create(vals)

    @api.model
    def action_test_connection(self):
        """Settings button: is the dialer (in the bridge) taking calls?"""
        Request = self.env["eldercare.dial.request"].sudo()
        stale = fields.Datetime.subtract(
            fields.Datetime.now(), seconds=DIALER_STALE_SECONDS
        )
        waiting = Request.search_count(
            [("state", "=", "queued"), ("create_date", "<", stale)]
        )
        last = Request.search([("sent_at", "!=", False)], order="sent_at desc", limit=1)
        if waiting:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "warning",
                    "title": _("The dialer is not taking calls"),
                    "message": _(
                        "%(count)s call(s) have waited more than %(sec)s s: check "
                        "that the telephony bridge is running and connected to "
                        "Asterisk.",
                        count=waiting,
                        sec=DIALER_STALE_SECONDS,
                    ),
                },
            }
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": _("No call is waiting for the dialer"),
                "message": _("Last call placed: %s", last.sent_at)
                if last
                else _("No call placed yet."),
            },
        }

    @api.model
    def _log_new_call(self, vals):
        """The call-log entry (sudo) of a call Odoo places, under a new
        linkedid that the dial request placing it carries too."""
        linkedid = self.env["eldercare.dial.request"]._new_linkedid()
        return (
            self.env["eldercare.call"]
            .sudo()
            .create({"linkedid": linkedid, "uniqueid": linkedid, **vals})
        )

    @api.model
    def click_to_call(
        self, number, elder=None, alert=None, label=None, purpose="click_to_call"
    ):
        """Ring the current operator's phone, then dial ``number``: queued for
        the dialer, which originates it within a second. The call is logged as
        outbound and linked to the elder and alert. Returns a notification
        action for the web client."""
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
        call = self._log_new_call(
            {
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
        linkedid = call.linkedid
        self._dial(
            {
                "purpose": purpose,
                "priority": 100,
                "linkedid": linkedid,
                "number": to_dial,
                "channel": user.eldercare_endpoint,
                "context": CONTEXT_OUTBOUND,
                "exten": to_dial,
                "callerid": f'"{label}" <{to_dial}>',
                "ring_timeout": 30,
                "variables": {
                    "EC_CALL_ID": call.id,
                    "EC_ELDER_ID": elder.id or 0,
                    "EC_ALERT_ID": alert.id or 0,
                    "EC_OPERATOR_ID": user.id,
                },
                "user_id": user.id,
                "call_id": call.id,
            }
        )
        params = {
            "type": "info",
            "title": _("Calling %s", label),
            "message": _(
                "Your phone (%(ext)s) rings first: pick it up and Asterisk dials "
                "%(number)s.",
                ext=user.eldercare_extension or user.eldercare_endpoint,
                number=to_dial,
            ),
            "sticky": False,
        }
        stuck = self._dialer_stuck()
        if stuck:
            params["type"] = "warning"
            params["message"] = f"{stuck} {params['message']}"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": params,
        }

    @api.model
    def _dialer_stuck(self):
        """A sentence for the operator when the dialer has not taken calls
        for a while (bridge stopped or cut off from Asterisk), else ''."""
        stale = fields.Datetime.subtract(
            fields.Datetime.now(), seconds=DIALER_STALE_SECONDS
        )
        waiting = (
            self.env["eldercare.dial.request"]
            .sudo()
            .search_count([("state", "=", "queued"), ("create_date", "<", stale)])
        )
        if not waiting:
            return ""
        return _(
            "The dialer has not placed calls for more than %(sec)s s (%(count)s "
            "waiting): the call may not happen — dial by hand if it does not ring.",
            sec=DIALER_STALE_SECONDS,
            count=waiting,
        )

    @api.model
    def simulate_call(self, did, caller_number, caller_name="", wait_seconds=120):
        """Training: place a call on ``did`` as if ``caller_number`` dialled it.
        A Local channel enters the inbound dialplan exactly like a trunk call;
        its other half just waits (silence) so the call stays up."""
        to_dial = dialable(did)
        if not to_dial:
            raise UserError(_("Choose the line to call."))
        caller = dialable(caller_number) or "anonymous"
        line = (
            self.env["eldercare.pbx.line"]
            .sudo()
            .search([("number", "=", to_dial)], limit=1)
        )
        call = self._log_new_call(
            {
                "direction": "inbound",
                "simulated": True,
                "did": to_dial,
                "line_id": line.id,
                "caller_number": caller,
                "caller_name": caller_name or False,
                "initiated_by_id": self.env.user.id,
            }
        )
        linkedid = call.linkedid
        self._dial(
            {
                "purpose": "simulate",
                "priority": 50,
                "linkedid": linkedid,
                "other_linkedid": f"{linkedid}-2",
                "number": to_dial,
                "channel": f"Local/{to_dial}@{CONTEXT_INBOUND}",
                "application": "Wait",
                "app_data": str(int(wait_seconds)),
                "callerid": f'"{caller_name or caller}" <{caller}>',
                "variables": {"EC_CALL_ID": call.id, "EC_SIMULATED": 1},
                "user_id": self.env.user.id,
                "call_id": call.id,
            }
        )
        return call
