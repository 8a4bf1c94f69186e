from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

from .main import settlement_xlsx_response


class EldercareStatementPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "eldercare_settlement_count" in counters:
            providers = self._eldercare_settlement_providers()
            values["eldercare_settlement_count"] = (
                request.env["account.move"]
                .sudo()
                .search_count(self._eldercare_settlement_domain(providers))
                if providers
                else 0
            )
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
        ["/my/statements/<int:statement_id>"],
        type="http",
        auth="public",
        website=True,
    )
    def portal_my_statement(
        self, statement_id, access_token=None, report_type=None, download=False, **kw
    ):
        """The statement, for its elder's portal user or anyone holding the
        link with its access token (the emailed / texted link)."""
        try:
            statement = self._document_check_access(
                "eldercare.statement", statement_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        if statement.state in ("draft", "cancel"):
            return request.redirect("/my")
        return self._eldercare_show_report(
            statement,
            report_type,
            "eldercare_billing.action_report_statement",
            download,
        )

    def _eldercare_show_report(self, record, report_type, report_ref, download):
        """``report_ref`` as PDF, or its ``_html`` twin (the default)."""
        report_type = report_type if report_type in ("html", "pdf") else "html"
        response = self._show_report(
            model=record,
            report_type=report_type,
            report_ref=f"{report_ref}_html" if report_type == "html" else report_ref,
            download=download,
        )
        if report_type == "html":
            # Chinese names: say the charset, not only in the <meta> tag
            response.headers["Content-Type"] = "text/html; charset=utf-8"
        return response

    # ------------------------------------------------------------------
    # Providers' settlements: the month-end bills of the user's own provider
    # ------------------------------------------------------------------
    def _eldercare_settlement_providers(self):
        user = request.env.user
        if not user.has_group("eldercare_base.group_eldercare_provider"):
            return request.env["res.partner"]
        return user.commercial_partner_id.filtered("is_eldercare_provider")

    def _eldercare_settlement_domain(self, providers):
        return [
            ("eldercare_billing_kind", "=", "provider"),
            ("state", "=", "posted"),
            ("partner_id", "child_of", providers.ids),
        ]

    def _eldercare_get_settlement(self, move_id):
        """The bill if it belongs to the user's provider, else None."""
        providers = self._eldercare_settlement_providers()
        if not providers:
            return None
        move = (
            request.env["account.move"]
            .sudo()
            .search(
                [("id", "=", move_id), *self._eldercare_settlement_domain(providers)],
                limit=1,
            )
        )
        return move or None

    @http.route(["/my/settlements"], type="http", auth="user", website=True)
    def portal_my_settlements(self, **kw):
        providers = self._eldercare_settlement_providers()
        moves = (
            request.env["account.move"]
            .sudo()
            .search(
                self._eldercare_settlement_domain(providers),
                order="invoice_date desc, id desc",
                limit=36,
            )
            if providers
            else request.env["account.move"]
        )
        values = self._prepare_portal_layout_values()
        values.update({"settlements": moves, "page_name": "eldercare_settlement"})
        return request.render("eldercare_billing.portal_my_settlements", values)

    @http.route(
        ["/my/settlements/<int:move_id>"], type="http", auth="user", website=True
    )
    def portal_my_settlement(self, move_id, report_type=None, download=False, **kw):
        move = self._eldercare_get_settlement(move_id)
        if not move:
            return request.redirect("/my")
        if report_type == "xlsx":
            return settlement_xlsx_response(move)
        return self._eldercare_show_report(
            move, report_type, "eldercare_billing.action_report_settlement", download
        )
