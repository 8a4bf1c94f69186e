from urllib.parse import quote

from odoo import _
from odoo.http import request

from odoo.addons.eldercare_base.controllers.portal import portal_post_route
from odoo.addons.eldercare_family.controllers.portal import EldercareFamilyPortal

from ..models.res_partner import OPEN_STATES


class EldercareFamilyPortalAlerts(EldercareFamilyPortal):
    @portal_post_route("/my/family/alert/<int:alert_id>/accept")
    def portal_family_accept_callout(self, alert_id, **kw):
        """The relative accepts to go to their elder for an open alert."""
        alert = request.env["eldercare.alert"].sudo().browse(alert_id).exists()
        relative = self._eldercare_family_relatives().filtered(
            lambda r: alert and r.partner_id == alert.elder_id
        )[:1]
        if not relative:
            raise request.not_found()
        url = f"/my/family/{relative.partner_id.id}"
        if alert.state not in OPEN_STATES:
            error = quote(_("This alert is already closed: no one needs to go."))
            return request.redirect(f"{url}?error={error}")
        relative._eldercare_portal_accept_callout(alert)
        done = quote(_("Thank you: the center knows you are on the way."))
        return request.redirect(f"{url}?message={done}")
