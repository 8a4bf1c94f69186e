from odoo import api, models


class IrActionsReport(models.Model):
    """Printed statements and settlement sheets: a PDF when wkhtmltopdf works
    on this server, else the HTML version of the same report, named as such.
    Each PDF report ``x`` has its HTML twin ``x_html``."""

    _inherit = "ir.actions.report"

    @api.model
    def _eldercare_printed(self, report_ref, res_ids, title):
        """(file name, content) of ``report_ref`` printed for ``res_ids``."""
        if self.get_wkhtmltopdf_state() == "ok":
            content, fmt = self._render_qweb_pdf(report_ref, res_ids)
            if fmt == "pdf":
                return f"{title}.pdf", content
        content, _fmt = self._render_qweb_html(f"{report_ref}_html", res_ids)
        return self.env._("%(title)s (HTML).html", title=title), content

    @api.model
    def _eldercare_print_action(self, report_ref, records):
        """The print action of ``report_ref`` (PDF) or of its HTML twin."""
        if self.get_wkhtmltopdf_state() != "ok":
            report_ref = f"{report_ref}_html"
        return self.env.ref(report_ref).report_action(records)
