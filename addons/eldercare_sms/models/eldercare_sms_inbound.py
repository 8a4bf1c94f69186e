import logging

from markupsafe import Markup

from odoo import api, fields, models

_logger = logging.getLogger(__name__)


class EldercareSmsInbound(models.Model):
    """An SMS a phone sent to the center's number (Kannel smsbox get-url)."""

    _name = "eldercare.sms.inbound"
    _description = "Incoming SMS"
    _order = "received_at desc, id desc"

    number = fields.Char(required=True, readonly=True)
    text = fields.Text(readonly=True)
    received_at = fields.Datetime(
        default=fields.Datetime.now, required=True, readonly=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Contact",
        readonly=True,
        index=True,
        help="The elder whose relative replied, or the contact with this number.",
    )
    relative_id = fields.Many2one("eldercare.relative", readonly=True, index=True)
    handled = fields.Boolean(
        readonly=True, help="A process (e.g. the call cascade) took this reply."
    )

    @api.model
    def _eldercare_receive(self, number, text):
        """Record one incoming SMS on its sender and offer it to the hooks."""
        normalized = self.env["eldercare.phone"]._normalize_number(number) or number
        relative = self.env["eldercare.relative"].search(
            [("phone_e164", "=", normalized)], order="sequence, id", limit=1
        )
        partner = relative.partner_id
        if not partner:
            partner = self.env["res.partner"]._eldercare_find_elder_by_phone(number)
        if not partner and normalized:
            partner = self.env["res.partner"].search(
                [("phone_sanitized", "=", normalized)], limit=1
            )
        inbound = self.create(
            {
                "number": normalized,
                "text": text or "",
                "partner_id": partner.id or False,
                "relative_id": relative.id or False,
            }
        )
        if partner:
            who = relative.name if relative else partner.name
            partner.message_post(
                body=Markup("<p>%s</p><p>%s</p>")
                % (
                    self.env._(
                        "SMS reply from %(who)s (%(number)s):",
                        who=who,
                        number=normalized,
                    ),
                    text or "",
                ),
                subtype_xmlid="mail.mt_note",
            )
        try:
            with self.env.cr.savepoint():
                handled = inbound._eldercare_sms_reply(partner, text or "")
        except Exception:  # pylint: disable=broad-except
            # the reply stays recorded (and on the chatter) for a person to act
            _logger.exception("Processing the SMS reply %s failed", inbound.id)
            handled = False
        if handled:
            inbound.handled = True
        return inbound

    def _eldercare_sms_reply(self, partner, text):
        """Hook for processes waiting for a reply (the call cascade: "1").

        ``self`` is the incoming SMS (its ``number`` and ``relative_id``),
        ``partner`` the elder or contact it was recorded on (may be empty).
        Return True when the reply was taken; nothing is taken by default."""
        return False
