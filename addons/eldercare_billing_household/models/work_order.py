from odoo import models


class EldercareWorkOrder(models.Model):
    _inherit = "eldercare.work.order"

    def _eldercare_portal_values(self):
        """The provider also sees on which settlement (provider bill) the order
        was paid, once the month end billed it."""
        values = super()._eldercare_portal_values()
        bill = self.sudo().statement_line_ids.vendor_bill_id[:1]
        values.update(
            settlement_name=bill.name or "",
            settlement_url=f"/my/settlements/{bill.id}" if bill else "",
        )
        return values
