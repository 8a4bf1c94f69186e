from odoo import models


class EldercareRelative(models.Model):
    _inherit = "eldercare.relative"

    def _eldercare_portal_accept_callout(self, alert):
        """Accepting from the portal is an acceptance of the responder
        cascade: the call in progress to somebody else is hung up and nobody
        else is called. The chatter note of the family portal stays."""
        res = super()._eldercare_portal_accept_callout(alert)
        if alert.sudo().cascade_state in ("running", "paused"):
            alert._eldercare_cascade_accept_external(self, via="portal")
        return res
