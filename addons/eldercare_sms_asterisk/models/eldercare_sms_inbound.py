from markupsafe import Markup

from odoo import models

OPEN_CASCADE = ("running", "paused")
CLOSED_STATES = ("resolved", "closed", "false_alarm")


class EldercareSmsInbound(models.Model):
    _inherit = "eldercare.sms.inbound"

    def _eldercare_sms_reply(self, partner, text):
        """A relative answers the cascade by SMS: "1" = I will go (accepts the
        alert, the calls stop), "2" = I cannot (noted on the alert)."""
        if super()._eldercare_sms_reply(partner, text):
            return True
        relative = self.relative_id
        answer = (text or "").strip()[:1]
        if not relative or answer not in ("1", "2"):
            return False
        alert = (
            self.env["eldercare.alert"]
            .sudo()
            .search(
                [
                    ("elder_id", "=", relative.partner_id.id),
                    ("cascade_state", "in", OPEN_CASCADE),
                    ("state", "not in", CLOSED_STATES),
                ],
                order="id desc",
                limit=1,
            )
        )
        if not alert:
            return False
        if answer == "1":
            return bool(alert._eldercare_cascade_accept_external(relative, via="sms"))
        alert.message_post(
            body=Markup("<p>%s</p>")
            % self.env._(
                "%(name)s (%(number)s) replied by SMS that they cannot go.",
                name=relative.name,
                number=self.number,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True
