import hmac
import logging
import re

from odoo.http import Controller, request, route

_logger = logging.getLogger(__name__)

UUID_RE = re.compile(r"^[0-9a-f]{32}$")


def _token_ok(token):
    expected = (
        request.env["ir.config_parameter"].sudo().get_param("eldercare_sms.token")
    )
    return bool(expected) and hmac.compare_digest(str(token), expected)


def _kannel_route(name):
    """A URL that Kannel calls: public, the shared token in the path, GET or
    POST, no session kept."""
    return route(
        f"/eldercare_sms/{name}/<string:token>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        csrf=False,
        save_session=False,
    )


class EldercareSmsController(Controller):
    @_kannel_route("dlr")
    def kannel_dlr(self, token, uuid="", status="", **_kw):
        """Kannel's delivery report (the dlr-url of each message we sent)."""
        if not _token_ok(token):
            return request.make_response("forbidden", status=403)
        if not UUID_RE.match(uuid or "") or not (status or "").isdigit():
            _logger.warning("Malformed Kannel delivery report: %s %s", uuid, status)
            return request.make_response("bad report", status=400)
        sms = request.env["sms.sms"].sudo().search([("uuid", "=", uuid)], limit=1)
        if not sms:
            _logger.warning("Kannel delivery report for an unknown SMS %s", uuid)
            return request.make_response("unknown", status=200)
        sms._eldercare_apply_dlr(int(status))
        return request.make_response("OK", status=200)

    @_kannel_route("inbound")
    def kannel_inbound(self, token, **kw):
        """An SMS from a phone (Kannel smsbox get-url: from=%p&text=%a)."""
        if not _token_ok(token):
            return request.make_response("forbidden", status=403)
        number = (kw.get("from") or "").strip()
        if not number:
            return request.make_response("no sender", status=400)
        request.env["eldercare.sms.inbound"].sudo()._eldercare_receive(
            number, kw.get("text") or ""
        )
        # Kannel would text the body back: say nothing (max-messages = 0 too)
        return request.make_response("", status=200)
