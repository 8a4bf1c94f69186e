import binascii

from odoo import _, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from .portal import EldercareProviderPortal


class EldercareProviderPortalSignature(EldercareProviderPortal):
    @http.route(
        ["/my/work_orders/<int:order_id>/sign"],
        type="json",
        auth="user",
        website=True,
    )
    def portal_work_order_sign(self, order_id, name=None, signature=None, **kw):
        """Called by Odoo's portal signature widget (``portal.signature_form``)."""
        try:
            order_sudo = self._eldercare_get_order(order_id)
        except (AccessError, MissingError):
            return {"error": _("This work order is not yours.")}
        try:
            with request.env.cr.savepoint():
                order_sudo._eldercare_portal_sign(name, signature)
        except (UserError, ValidationError) as exc:
            return {"error": exc.args[0]}
        except (TypeError, binascii.Error):
            return {"error": _("The signature could not be read: please sign again.")}
        return {
            "force_refresh": True,
            "redirect_url": f"/my/work_orders/{order_id}?message="
            + _("Thank you, the elder's signature is saved."),
        }
