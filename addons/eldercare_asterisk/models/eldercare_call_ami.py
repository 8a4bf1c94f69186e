"""AMI events of a call, as methods of its call log row.

``eldercare.pbx.bridge.ami_events`` hands each event to the row of its
linkedid (an empty recordset when the call is not logged yet): ``_on_<event>
(event, linkedid)`` returns the row the next events of that call go to."""

import logging

from odoo import api, models

from .eldercare_pbx_wire import _caller_id, _int, _parse_ts, _text

_logger = logging.getLogger(__name__)


class EldercareCall(models.Model):
    _inherit = "eldercare.call"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _ami_handlers(self):
        """AMI event name -> method of the call log handling it."""
        return {
            "Newchannel": "_on_newchannel",
            "NewCallerid": "_on_new_callerid",
            "DialBegin": "_on_dial_begin",
            "BridgeEnter": "_on_bridge_enter",
            "AgentConnect": "_on_agent_connect",
            "QueueCallerJoin": "_on_queue_caller_join",
            "DialEnd": "_on_dial_end",
            "Hangup": "_on_hangup",
            "VarSet": "_on_varset",
            "UserEvent": "_on_user_event",
        }

    def _on_newchannel(self, event, linkedid):
        call, bridge = self, self.env["eldercare.pbx.bridge"]
        channel = _text(event.get("Channel"), 150)
        uniqueid = _text(event.get("Uniqueid"), 150)
        if call:
            # a row logged before the call existed (simulated call): the routing
            # lookup, running at this very moment, fills the channel; writing the
            # row here too would make one of the two transactions fail
            if not call.channel and uniqueid == linkedid and call.route:
                call.write({"channel": channel, "uniqueid": uniqueid})
            return call
        if uniqueid and uniqueid != linkedid:
            return call  # a later leg of a call we do not log
        caller = _caller_id(event.get("CallerIDNum"))
        exten = _text(event.get("Exten"), 32)
        operator_id = bridge._operator_for_channel(channel)
        vals = {
            "uniqueid": uniqueid,
            "channel": channel,
            "started_at": _parse_ts(event.get("Timestamp")),
        }
        if operator_id:
            vals.update(
                direction="outbound", initiated_by_id=operator_id, dialed_number=exten
            )
        else:
            line_id, _line_type = bridge._line_for_did(exten)
            # the elder too: the routing lookup may never reach Odoo (a service
            # call answered from the bridge's replica drops a lookup Odoo is
            # too busy to take in time), and the log, the elder's history and
            # the check-in of an elder who calls in must not depend on it; the
            # batch looked the elders of its new calls up at once
            vals.update(
                direction="inbound",
                elder_id=self.env.context.get("eldercare_elder_by_caller", {}).get(
                    caller, False
                ),
                caller_number=caller,
                caller_number_e164=bridge._normalize(caller),
                caller_name=_caller_id(event.get("CallerIDName")),
                did=exten if line_id else False,
                line_id=line_id,
            )
        return bridge._upsert_calls([(linkedid, {}, vals)]).get(
            linkedid, self.env["eldercare.call"]
        )

    def _on_new_callerid(self, event, linkedid):
        """The caller id set after the channel began (a Local channel's, a
        trunk sending it late): an inbound call logged without a number gets
        it, and its elder, here too, not only from the routing lookup."""
        call, bridge = self, self.env["eldercare.pbx.bridge"]
        caller = _caller_id(event.get("CallerIDNum"))
        uniqueid = _text(event.get("Uniqueid"), 150)
        if not call or call.direction != "inbound" or not caller:
            return call
        if uniqueid not in (linkedid, call.uniqueid) or call.caller_number:
            return call  # another leg's caller id, or the number is known
        update = bridge._merge_call_vals(
            call,
            {
                "caller_number": caller,
                "caller_number_e164": bridge._normalize(caller),
                "caller_name": _caller_id(event.get("CallerIDName")),
                "elder_id": self.env.context.get("eldercare_elder_by_caller", {}).get(
                    caller, False
                ),
            },
        )
        if update:
            call.write(update)
        return call

    def _on_dial_begin(self, event, linkedid):
        call, bridge = self, self.env["eldercare.pbx.bridge"]
        if not call:
            return call
        dest = _text(event.get("DestChannel"), 150)
        user_id = bridge._operator_for_channel(
            dest, _text(event.get("DestCallerIDNum"))
        )
        if not user_id or user_id in call.popup_user_ids.ids:
            return call
        if call.direction == "outbound":
            return call
        user = self.env["res.users"].browse(user_id)
        call._send_operator_popup(user)
        return call

    def _on_bridge_enter(self, event, linkedid):
        call, bridge = self, self.env["eldercare.pbx.bridge"]
        if not call:
            return call
        channel = _text(event.get("Channel"), 150)
        ts = _parse_ts(event.get("Timestamp"))
        operator_id = bridge._operator_for_channel(channel)
        count = _int(event.get("BridgeNumChannels"))
        vals = {}
        if operator_id and call.direction == "inbound" and not call.operator_id:
            vals.update(operator_id=operator_id, operator_channel=channel)
        if not call.answered_at and (
            count >= 2 or (operator_id and call.direction == "inbound")
        ):
            vals["answered_at"] = ts
            call.alert_id._eldercare_record_pickup(ts)
        if vals:
            call.write(vals)
        return call

    def _on_agent_connect(self, event, linkedid):
        call, bridge = self, self.env["eldercare.pbx.bridge"]
        if not call:
            return call
        dest = _text(event.get("DestChannel"), 150)
        operator_id = bridge._operator_for_channel(
            dest
        ) or bridge._operator_for_channel(_text(event.get("Interface"), 150))
        vals = {"queue": _text(event.get("Queue")) or call.queue}
        if operator_id and not call.operator_id:
            vals.update(operator_id=operator_id, operator_channel=dest)
        if not call.answered_at:
            vals["answered_at"] = _parse_ts(event.get("Timestamp"))
            call.alert_id._eldercare_record_pickup(vals["answered_at"])
        call.write(vals)
        return call

    def _on_queue_caller_join(self, event, linkedid):
        call = self
        queue = _text(event.get("Queue"))
        if not call or not queue:
            return call
        vals = {}
        if call.queue != queue:
            vals["queue"] = queue
        if not call.queued_at:
            vals["queued_at"] = _parse_ts(event.get("Timestamp"))
        if vals:
            call.write(vals)
        return call

    def _on_dial_end(self, event, linkedid):
        call = self
        status = _text(event.get("DialStatus"), 32)
        if call and status and call.direction == "outbound":
            call.dial_status = status
        return call

    def _on_hangup(self, event, linkedid):
        call = self
        if not call or call.ended_at:
            return call
        uniqueid = _text(event.get("Uniqueid"), 150)
        if uniqueid not in (linkedid, call.uniqueid):
            return call  # only the first channel ends the call
        cause = _text(event.get("Cause"), 8)
        ts = _parse_ts(event.get("Timestamp"))
        if call.answered_at:
            disposition = "answered"
        elif call.route in ("request", "statement"):
            disposition = "self_service"
        elif cause == "17" or call.dial_status == "BUSY":
            disposition = "busy"
        elif call.dial_status in ("CHANUNAVAIL", "CONGESTION", "INVALIDARGS"):
            disposition = "failed"
        elif cause in ("19", "18", "21") or call.direction == "outbound":
            disposition = "no_answer"
        elif cause in ("1", "3", "27", "34", "38", "41", "42"):
            disposition = "failed"
        else:
            disposition = "abandoned"
        call.alert_id._eldercare_close_escalation("ended")
        call.write(
            {
                "ended_at": max(ts, call.started_at),
                "disposition": disposition,
                "hangup_cause": _text(
                    f"{cause} {_text(event.get('Cause-txt'))}".strip(), 64
                ),
            }
        )
        return call

    def _on_user_event(self, event, linkedid):
        """``EldercareEscalation``: the dialplan starts ringing a step of the
        escalation chain; written on the call's alert."""
        call = self
        if _text(event.get("UserEvent"), 32) != "EldercareEscalation":
            return call
        alert = call.alert_id if call else self.env["eldercare.alert"]
        if not alert:
            alert = self.env["eldercare.alert"].search(
                [("call_linkedid", "=", linkedid)], limit=1
            )
        if not alert:
            _logger.info("Escalation step of call %s before its alert", linkedid)
            return call
        alert._eldercare_record_escalation(
            _int(event.get("Step")),
            _text(event.get("Target"), 250) or "?",
            _int(event.get("Seconds")),
            _parse_ts(event.get("Timestamp")),
        )
        return call

    def _on_varset(self, event, linkedid):
        call = self
        if _text(event.get("Variable")) != "EC_CALL_ID" or call:
            return call
        try:
            call_id = int(event.get("Value"))
        except (TypeError, ValueError):
            return call
        logged = self.env["eldercare.call"].browse(call_id).exists()
        if logged and not logged.ended_at and logged.linkedid != linkedid:
            logged.linkedid = linkedid
            return logged
        return call
