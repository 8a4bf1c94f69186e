import io

import xlsxwriter

from odoo import fields, models


# kept apart from account_move.py (the month end's batch posting) on purpose
class AccountMove(models.Model):
    """A provider bill of the month end is the provider's settlement: what it
    is owed for its verified orders of the period, order by order."""

    _inherit = "account.move"  # pylint: disable=consider-merging-classes-inherited

    eldercare_settlement_line_ids = fields.One2many(
        "eldercare.statement.line",
        "vendor_bill_id",
        string="Settled Work Orders",
        readonly=True,
    )

    def _eldercare_settlement_rows(self):
        """Rows of the settlement sheet, in date order (read as superuser: the
        caller checked that the user may see this bill)."""
        self.ensure_one()
        lines = self.sudo().eldercare_settlement_line_ids.sorted(
            lambda ln: (ln.date, ln.id)
        )
        return [
            {
                "date": line.date,
                "work_order": line.work_order_id.name,
                "elder": line.partner_id.name,
                "community": line.community_id.name or "",
                "service": line.product_id.name,
                "quantity": line.quantity,
                "price_unit": line.price_unit_contract,
                "amount": line.amount_cost,
            }
            for line in lines
        ]

    def _eldercare_settlement_xlsx(self):
        """The settlement sheet as an XLSX workbook (bytes)."""
        self.ensure_one()
        _ = self.env._
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        bold = book.add_format({"bold": True})
        money = book.add_format({"num_format": "#,##0.00"})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        sheet = book.add_worksheet(_("Settlement"))
        sheet.write(0, 0, _("Provider"), bold)
        sheet.write(0, 1, self.partner_id.name)
        sheet.write(1, 0, _("Period"), bold)
        sheet.write(1, 1, self.eldercare_period or "")
        sheet.write(2, 0, _("Bill"), bold)
        sheet.write(2, 1, self.name or "")
        headers = [
            _("Date"),
            _("Work Order"),
            _("Elder"),
            _("Community"),
            _("Service"),
            _("Quantity"),
            _("Unit Price"),
            _("Amount"),
        ]
        for col, header in enumerate(headers):
            sheet.write(4, col, header, bold)
        row = 5
        total = 0.0
        for data in self._eldercare_settlement_rows():
            sheet.write_datetime(row, 0, fields.Datetime.to_datetime(data["date"]), day)
            sheet.write(row, 1, data["work_order"])
            sheet.write(row, 2, data["elder"])
            sheet.write(row, 3, data["community"])
            sheet.write(row, 4, data["service"])
            sheet.write_number(row, 5, data["quantity"])
            sheet.write_number(row, 6, data["price_unit"], money)
            sheet.write_number(row, 7, data["amount"], money)
            total += data["amount"]
            row += 1
        sheet.write(row, 6, _("Total"), bold)
        sheet.write_number(row, 7, self.currency_id.round(total), money)
        sheet.set_column(0, 0, 12)
        sheet.set_column(1, 4, 20)
        sheet.set_column(5, 7, 12)
        book.close()
        return buffer.getvalue()

    def _eldercare_settlement_sheet(self):
        """(file name, content) of the printed settlement sheet: PDF when the
        report engine renders one, else HTML named as such."""
        self.ensure_one()
        return (
            self.env["ir.actions.report"]
            .sudo()
            ._eldercare_printed(
                "eldercare_billing.action_report_settlement",
                self.ids,
                self.env._(
                    "Settlement %(period)s %(provider)s",
                    period=self.eldercare_period or "",
                    provider=self.partner_id.name,
                ),
            )
        )

    def action_eldercare_settlement_print(self):
        self.ensure_one()
        return self.env["ir.actions.report"]._eldercare_print_action(
            "eldercare_billing.action_report_settlement", self
        )

    def action_eldercare_settlement_xlsx(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "target": "self",
            "url": f"/eldercare/billing/settlement/{self.id}.xlsx",
        }
