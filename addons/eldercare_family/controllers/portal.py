from urllib.parse import quote

from odoo import _, http
from odoo.exceptions import UserError
from odoo.http import request

from odoo.addons.eldercare_base.controllers.portal import portal_post_route
from odoo.addons.portal.controllers.portal import CustomerPortal


class EldercareFamilyPortal(CustomerPortal):
    """The family portal: a relative sees their own elder(s) only.

    Every page starts from the relative records of the logged-in user
    (``eldercare.relative._eldercare_family_relatives``); records of an elder
    that is not theirs answer 404, never a hint of who it is."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "family_elder_count" in counters:
            values["family_elder_count"] = len(
                self._eldercare_family_relatives().partner_id
            )
        return values

    # ---------------------------------------------------------------- helpers
    def _eldercare_family_relatives(self):
        return request.env["eldercare.relative"]._eldercare_family_relatives()

    def _eldercare_family_relative(self, elder_id):
        """The relative record of the user for ``elder_id``, or 404."""
        relative = self._eldercare_family_relatives().filtered(
            lambda r: r.partner_id.id == elder_id
        )[:1]
        if not relative:
            raise request.not_found()
        return relative

    def _eldercare_family_page_values(self, relative, **kw):
        elder = relative.partner_id
        sections = sorted(
            elder._eldercare_family_sections(relative), key=lambda s: s["sequence"]
        )
        return {
            "page_name": "family_elder",
            "elder": elder,
            "relative": relative,
            "relatives": self._eldercare_family_relatives(),
            "sections": sections,
            "message": kw.get("message"),
            "error": kw.get("error"),
        }

    # ----------------------------------------------------------------- routes
    @http.route(["/my/family"], type="http", auth="user", website=True)
    def portal_my_family(self, **kw):
        relatives = self._eldercare_family_relatives()
        if len(relatives.partner_id) == 1:
            return request.redirect(f"/my/family/{relatives.partner_id.id}")
        values = self._prepare_portal_layout_values()
        values.update({"page_name": "family", "relatives": relatives})
        return request.render("eldercare_family.portal_my_family", values)

    @http.route(["/my/family/<int:elder_id>"], type="http", auth="user", website=True)
    def portal_family_elder(self, elder_id, **kw):
        relative = self._eldercare_family_relative(elder_id)
        values = self._prepare_portal_layout_values()
        values.update(self._eldercare_family_page_values(relative, **kw))
        return request.render("eldercare_family.portal_family_elder", values)

    @portal_post_route("/my/family/<int:elder_id>/contact")
    def portal_family_contact(self, elder_id, phone=None, availability=None, **kw):
        self._eldercare_family_relative(elder_id)  # 404 unless theirs
        url = f"/my/family/{elder_id}"
        try:
            self._eldercare_family_relatives()._eldercare_family_update_contact(
                phone, availability
            )
        except UserError as error:
            return request.redirect(f"{url}?error={quote(str(error.args[0]))}")
        saved = quote(_("Your contact details are saved."))
        return request.redirect(f"{url}?message={saved}")
