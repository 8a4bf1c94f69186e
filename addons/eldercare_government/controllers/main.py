import io

import xlsxwriter

from odoo import http
from odoo.http import request

from odoo.addons.eldercare_billing.controllers.main import xlsx_response


class EldercareGovernmentReport(http.Controller):
    @http.route(
        "/eldercare/government/summary/<int:summary_id>.xlsx",
        type="http",
        auth="user",
    )
    def government_summary_xlsx(self, summary_id, **kw):
        """The monthly summary as a workbook (one sheet per table)."""
        summary = request.env["eldercare.gov.summary"].browse(summary_id).exists()
        if not summary:
            raise request.not_found()
        summary.check_access("read")
        if summary.create_uid != request.env.user:
            raise request.not_found()
        content = self._build_xlsx(summary)
        area = summary.area_id.name or request.env._("all areas")
        filename = f"eldercare-summary-{summary.month}-{area}.xlsx"
        return xlsx_response(content, filename)

    def _build_xlsx(self, summary):
        data = summary._eldercare_gov_summary()
        _ = request.env._
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        bold = book.add_format({"bold": True})
        tables = [
            (
                _("Alerts"),
                [_("Type"), _("Alerts"), _("Answer (s)"), _("On Site (s)")],
                [
                    (r["type"], r["count"], r["answer_seconds"], r["onsite_seconds"])
                    for r in data["alerts"]
                ],
            ),
            (
                _("Services"),
                [_("Service"), _("Provider"), _("Delivered"), _("Amount")],
                [
                    (r["service"], r["provider"], r["count"], r["amount"])
                    for r in data["services"]
                ],
            ),
            (
                _("Subsidies"),
                [_("Payer"), _("Elder Category"), _("Subsidy"), _("Lines")],
                [
                    (r["payer"], r["category"], r["amount"], r["count"])
                    for r in data["subsidies"]
                ],
            ),
            (
                _("Elders"),
                [_("Elder Category"), _("Age Band"), _("Elders")],
                [(r["category"], r["age_band"], r["count"]) for r in data["elders"]],
            ),
        ]
        for title, header, rows in tables:
            sheet = book.add_worksheet(title[:31])
            sheet.write_row(0, 0, header, bold)
            for index, row in enumerate(rows, start=1):
                sheet.write_row(index, 0, row)
            sheet.set_column(0, len(header) - 1, 18)
        book.close()
        return buffer.getvalue()
