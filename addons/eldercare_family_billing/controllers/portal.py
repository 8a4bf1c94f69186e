from odoo import http
from odoo.http import request

from odoo.addons.eldercare_family.controllers.portal import EldercareFamilyPortal


class EldercareFamilyPortalStatements(EldercareFamilyPortal):
    @http.route(
        ["/my/family/statement/<int:statement_id>/pdf"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_family_statement_pdf(self, statement_id, **kw):
        """The PDF of a statement of the relative's own elder, else 404."""
        statement = request.env["eldercare.statement"].sudo().browse(statement_id)
        statement = statement.exists()
        elder = self._eldercare_family_relatives().partner_id & statement.partner_id
        if not elder or not statement.filtered_domain(
            elder._eldercare_family_statement_domain()
        ):
            raise request.not_found()
        report = "eldercare_billing.action_report_statement"
        pdf, _type = (
            request.env["ir.actions.report"]
            .sudo()
            ._render_qweb_pdf(report, statement.ids)
        )
        filename = f"{statement.name}.pdf".replace("/", "-")
        return request.make_response(
            pdf,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", len(pdf)),
                ("Content-Disposition", f'inline; filename="{filename}"'),
            ],
        )
