import logging
from urllib.parse import quote

from odoo import _, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from odoo.addons.eldercare_base.controllers.portal import portal_post_route
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

_logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class EldercareProviderPortal(CustomerPortal):
    # ------------------------------------------------------------------
    # home counters
    # ------------------------------------------------------------------
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "work_order_count" in counters:
            WorkOrder = request.env["eldercare.work.order"]
            values["work_order_count"] = (
                WorkOrder.search_count(self._eldercare_work_order_domain())
                if WorkOrder.has_access("read")
                else 0
            )
        return values

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def _eldercare_work_order_domain(self):
        return request.env["eldercare.work.order"]._eldercare_portal_domain()

    def _eldercare_searchbar_sortings(self):
        return {
            "date": {
                "label": _("Scheduled Date"),
                "order": "date_scheduled desc, id desc",
            },
            "name": {"label": _("Reference"), "order": "name desc"},
            "state": {"label": _("Status"), "order": "state, date_scheduled desc"},
        }

    def _eldercare_searchbar_filters(self):
        return {
            "all": {"label": _("All"), "domain": []},
            "todo": {
                "label": _("To Accept"),
                "domain": [("state", "=", "assigned")],
            },
            "open": {
                "label": _("Accepted / In Progress"),
                "domain": [("state", "in", ("accepted", "in_progress"))],
            },
            "done": {
                "label": _("Done"),
                "domain": [("state", "in", ("done", "verified"))],
            },
            "cancel": {"label": _("Cancelled"), "domain": [("state", "=", "cancel")]},
        }

    def _eldercare_get_order(self, order_id):
        """Access-checked work order (sudo, but keeping the current user as
        author), or raise AccessError / MissingError."""
        self._document_check_access("eldercare.work.order", order_id)
        order = request.env["eldercare.work.order"].browse(order_id)
        # defence in depth: besides the record rules, the order must belong
        # to the user's provider (or be assigned to them as staff)
        if not order.sudo().filtered_domain(self._eldercare_work_order_domain()):
            raise AccessError(_("This work order is not yours."))
        return order.sudo()

    def _eldercare_redirect(self, order_id, message=None, error=None):
        url = f"/my/work_orders/{order_id}"
        if error:
            url += "?error=" + quote(error)
        elif message:
            url += "?message=" + quote(message)
        return request.redirect(url)

    # ------------------------------------------------------------------
    # pages
    # ------------------------------------------------------------------
    @http.route(
        ["/my/work_orders", "/my/work_orders/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_work_orders(
        self, page=1, sortby=None, filterby=None, message=None, **kw
    ):
        WorkOrder = request.env["eldercare.work.order"]
        values = self._prepare_portal_layout_values()
        if not WorkOrder.has_access("read"):
            return request.redirect("/my")
        sortings = self._eldercare_searchbar_sortings()
        filters = self._eldercare_searchbar_filters()
        sortby = sortby if sortby in sortings else "date"
        filterby = filterby if filterby in filters else "all"
        domain = self._eldercare_work_order_domain() + filters[filterby]["domain"]
        pager = portal_pager(
            url="/my/work_orders",
            url_args={"sortby": sortby, "filterby": filterby},
            total=WorkOrder.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        orders = WorkOrder.search(
            domain,
            order=sortings[sortby]["order"],
            limit=self._items_per_page,
            offset=pager["offset"],
        )
        request.session["my_work_orders_history"] = orders.ids[:100]
        values.update(
            {
                "work_orders": [
                    order._eldercare_portal_values() for order in orders.sudo()
                ],
                "page_name": "work_order",
                "pager": pager,
                "default_url": "/my/work_orders",
                "searchbar_sortings": sortings,
                "sortby": sortby,
                "searchbar_filters": filters,
                "filterby": filterby,
                "message": message,
            }
        )
        return request.render("eldercare_household.portal_my_work_orders", values)

    @http.route(
        ["/my/work_orders/<int:order_id>"], type="http", auth="user", website=True
    )
    def portal_my_work_order(self, order_id, message=None, error=None, **kw):
        try:
            order_sudo = self._eldercare_get_order(order_id)
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "work_order": order_sudo._eldercare_portal_values(),
                "page_name": "work_order",
                "message": message,
                "error": error,
            }
        )
        history = request.session.get("my_work_orders_history", [])
        if order_sudo.id in history:
            idx = history.index(order_sudo.id)
            values["prev_record"] = idx != 0 and f"/my/work_orders/{history[idx - 1]}"
            values["next_record"] = (
                idx < len(history) - 1 and f"/my/work_orders/{history[idx + 1]}"
            )
        return request.render("eldercare_household.portal_my_work_order", values)

    # ------------------------------------------------------------------
    # provider actions (POST, CSRF-protected forms)
    # ------------------------------------------------------------------
    def _eldercare_do(self, order_id, method, success, *args, success_url=None, **kw):
        """Run ``method`` on the access-checked order in a savepoint, then
        redirect to the order with ``success`` (or to ``success_url``), or back
        to the order with the error."""
        try:
            order_sudo = self._eldercare_get_order(order_id)
        except (AccessError, MissingError):
            return request.redirect("/my")
        try:
            with request.env.cr.savepoint():
                getattr(order_sudo, method)(*args, **kw)
        except (UserError, ValidationError) as exc:
            return self._eldercare_redirect(order_id, error=exc.args[0])
        if success_url:
            return request.redirect(success_url)
        return self._eldercare_redirect(order_id, message=success)

    @portal_post_route("/my/work_orders/<int:order_id>/accept")
    def portal_work_order_accept(self, order_id, **kw):
        return self._eldercare_do(
            order_id, "_eldercare_portal_accept", _("You accepted the work order.")
        )

    @portal_post_route("/my/work_orders/<int:order_id>/decline")
    def portal_work_order_decline(self, order_id, reason=None, **kw):
        # the order is handed back to the center: the provider no longer sees it
        return self._eldercare_do(
            order_id,
            "_eldercare_portal_decline",
            None,
            reason,
            success_url="/my/work_orders?message=declined",
        )

    @portal_post_route("/my/work_orders/<int:order_id>/start")
    def portal_work_order_start(self, order_id, **kw):
        return self._eldercare_do(
            order_id, "_eldercare_portal_start", _("The work has started.")
        )

    @portal_post_route("/my/work_orders/<int:order_id>/finish")
    def portal_work_order_finish(
        self, order_id, quantity=None, note=None, pin=None, **kw
    ):
        attachments = []
        for upload in request.httprequest.files.getlist("attachment"):
            if not upload or not upload.filename:
                continue
            content = upload.read(MAX_UPLOAD_BYTES + 1)
            if len(content) > MAX_UPLOAD_BYTES:
                # the order page itself sends a foreign user back to /my
                return self._eldercare_redirect(
                    order_id, error=_("The photo is too large (10 MB at most).")
                )
            attachments.append((upload.filename, content, upload.mimetype))
        return self._eldercare_do(
            order_id,
            "_eldercare_portal_finish",
            _("Thank you, the work order is finished."),
            quantity,
            note=note,
            attachments=attachments,
            author=request.env.user.partner_id,
            pin=pin,
        )
