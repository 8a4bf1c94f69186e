from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class EldercareStatementPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "eldercare_statement_count" in counters:
            Statement = request.env["eldercare.statement"]
            values["eldercare_statement_count"] = (
                Statement.search_count([("state", "!=", "cancel")])
                if Statement.has_access("read")
                else 0
            )
        return values

    @http.route(["/my/statements"], type="http", auth="user", website=True)
    def portal_my_statements(self, **kw):
        Statement = request.env["eldercare.statement"]
        statements = (
            Statement.search([("state", "!=", "cancel")], order="period desc", limit=36)
            if Statement.has_access("read")
            else Statement
        )
        partner = request.env.user.partner_id
        running = (
            Statement.sudo()._running_total(partner)
            if partner.sudo().is_elder
            else None
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "statements": statements,
                "running": running,
                "page_name": "eldercare_statement",
            }
        )
        return request.render("eldercare_billing.portal_my_statements", values)

    @http.route(
        ["/my/statements/<int:statement_id>"], type="http", auth="user", website=True
    )
    def portal_my_statement(self, statement_id, report_type=None, download=False, **kw):
        try:
            statement = self._document_check_access("eldercare.statement", statement_id)
        except (AccessError, MissingError):
            return request.redirect("/my")
        report_type = report_type if report_type in ("html", "pdf") else "html"
        response = self._show_report(
            model=statement,
            report_type=report_type,
            report_ref="eldercare_billing.action_report_statement_html"
            if report_type == "html"
            else "eldercare_billing.action_report_statement",
            download=download,
        )
        if report_type == "html":
            # Chinese names: say the charset, not only in the <meta> tag
            response.headers["Content-Type"] = "text/html; charset=utf-8"
        return response
