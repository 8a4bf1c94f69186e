from datetime import date

from werkzeug.urls import url_encode

from odoo import fields, models


class EldercareXlsxExportWizard(models.TransientModel):
    _name = "eldercare.xlsx.export.wizard"
    _description = "Export Billing Reports (XLSX)"

    def _default_date_from(self):
        return date(fields.Date.context_today(self).year, 1, 1)

    date_from = fields.Date(
        required=True, default=lambda self: self._default_date_from()
    )
    date_to = fields.Date(required=True, default=fields.Date.context_today)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    def action_export(self):
        self.ensure_one()
        query = url_encode(
            {
                "date_from": fields.Date.to_string(self.date_from),
                "date_to": fields.Date.to_string(self.date_to),
                "company_id": self.company_id.id,
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/eldercare/billing/report.xlsx?{query}",
            "target": "self",
        }
