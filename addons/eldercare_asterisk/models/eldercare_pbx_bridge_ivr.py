"""The voice menu (IVR) of the service line: what a key pressed does. What
a household-service key orders and what the statement key reads out are
hooks the glue addons fill (eldercare_asterisk_household,
eldercare_asterisk_billing)."""

from odoo import api, fields, models

from .eldercare_pbx_wire import QUEUE_EMERGENCY, QUEUE_SERVICE, _text


class EldercarePbxBridge(models.AbstractModel):
    _inherit = "eldercare.pbx.bridge"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def ivr_choice(self, params):
        self = self._check_bridge_access()
        params = params if isinstance(params, dict) else {}
        linkedid = _text(params.get("linkedid"), 150)
        digits = _text(params.get("digits"), 8)
        caller = _text(params.get("caller_num"))
        call = self.env["eldercare.call"]
        if linkedid:
            call = call.search([("linkedid", "=", linkedid)], limit=1)
        elder = call.elder_id or self._find_elder(caller)
        caller = caller or call.caller_number or ""
        result = {
            "route": "invalid",
            "say": "",
            "request_id": 0,
            "alert_id": 0,
            "queue": QUEUE_SERVICE,
        }
        option = self.env["eldercare.ivr.option"]
        if len(digits) == 1:
            option = option.search([("digit", "=", digits)], limit=1)
        request = False
        if option.action == "emergency":
            alert_linkedid = linkedid or f"ivr-{caller}-{fields.Datetime.now()}"
            alert = self._alerts_from_calls(
                [
                    {
                        "linkedid": alert_linkedid,
                        "caller_number": caller,
                        "caller_number_e164": call.caller_number_e164
                        or self._normalize(caller),
                        "did": call.did or "",
                        "channel": "ivr",
                        "elder_id": elder.id,
                    }
                ]
            ).get(alert_linkedid, self.env["eldercare.alert"])
            result.update(
                route="emergency",
                alert_id=alert.id or 0,
                queue=QUEUE_EMERGENCY,
                chain=self.env["eldercare.escalation.step"]._eldercare_chain(),
            )
            if call and alert:
                call.alert_id = alert
            elder = alert.elder_id or elder
        elif option.action == "service":
            request = self._request_from_call(option, caller, linkedid, elder)
            if request:
                result.update(
                    route="request", request_id=request.id, say=request.display_name
                )
            else:
                # no household addon (or the request failed): a person takes it
                result.update(route="operator")
        elif option.action == "statement":
            say = self._statement_say(elder) if elder else None
            if say is None:
                # nobody to read a statement for (unknown caller, or no billing
                # addon installed): an operator takes the call
                result.update(route="operator")
            else:
                # an empty ``say`` plays "the amount is being checked"
                result.update(route="statement", say=say, amount_checking=not say)
        elif option.action == "operator":
            result.update(route="operator")
        if call:
            choices = ",".join(filter(None, [call.ivr_choices, digits or "-"]))
            vals = {"ivr_choices": choices[:64], "route": result["route"]}
            if result["route"] in ("operator", "emergency"):
                vals["queue"] = result["queue"]
                if not call.queued_at:
                    vals["queued_at"] = fields.Datetime.now()
            if request:
                vals["request_ref"] = f"{request._name},{request.id}"
            if elder and not call.elder_id:
                vals["elder_id"] = elder.id
            call.write(vals)
        return result

    def _request_from_call(self, option, caller, linkedid, elder):
        """Hook: the household service request ordered with voice-menu key
        ``option`` by ``caller`` on call ``linkedid`` (``elder`` may be
        empty), or False when none can be made: the call then goes to an
        operator. Without household services nothing can be ordered by phone;
        ``eldercare_asterisk_household`` overrides it."""
        return False

    def _statement_say(self, elder):
        """Hook: what the voice menu reads out for ``elder``'s statement: the
        amount due as ``"123.40"``, ``""`` when the amount is being checked
        (the dialplan plays that prompt instead), or None when no statement can
        be read (the call goes to an operator). Without billing there is no
        statement; ``eldercare_asterisk_billing`` overrides it."""
        return None
