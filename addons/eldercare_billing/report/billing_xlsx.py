import io

import xlsxwriter

from odoo import api, models


class EldercareBillingXlsx(models.AbstractModel):
    """Builds the billing workbook: fees, subsidies, elders, work orders."""

    _name = "eldercare.billing.xlsx"
    _description = "Eldercare Billing XLSX Report"

    @api.model
    def _build_xlsx(self, date_from, date_to, company=None):
        """Return the workbook (bytes) for statements of the months between
        ``date_from`` and ``date_to`` (dates) of ``company``."""
        company = company or self.env.company
        period_from = date_from.strftime("%Y-%m")
        period_to = date_to.strftime("%Y-%m")
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        styles = {
            "title": workbook.add_format({"bold": True, "font_size": 14}),
            "header": workbook.add_format(
                {
                    "bold": True,
                    "bg_color": "#1F4E78",
                    "font_color": "#FFFFFF",
                    "border": 1,
                    "align": "center",
                    "valign": "vcenter",
                    "text_wrap": True,
                }
            ),
            "text": workbook.add_format({"border": 1}),
            "int": workbook.add_format({"border": 1, "num_format": "0"}),
            "money": workbook.add_format({"border": 1, "num_format": "#,##0.00"}),
            "pct": workbook.add_format({"border": 1, "num_format": "0.0"}),
            "total_text": workbook.add_format(
                {"bold": True, "border": 1, "bg_color": "#DDEBF7"}
            ),
            "total_int": workbook.add_format(
                {"bold": True, "border": 1, "bg_color": "#DDEBF7", "num_format": "0"}
            ),
            "total_money": workbook.add_format(
                {
                    "bold": True,
                    "border": 1,
                    "bg_color": "#DDEBF7",
                    "num_format": "#,##0.00",
                }
            ),
        }
        subtitle = self.env._(
            "%(company)s, %(start)s to %(end)s",
            company=company.name,
            start=period_from,
            end=period_to,
        )
        line_domain = [
            ("company_id", "=", company.id),
            ("period", ">=", period_from),
            ("period", "<=", period_to),
            ("statement_id.state", "!=", "cancel"),
        ]
        self._sheet_fees(workbook, styles, subtitle, line_domain)
        self._sheet_subsidies(workbook, styles, subtitle, line_domain)
        self._sheet_elders(workbook, styles, company)
        self._sheet_work_orders(workbook, styles, subtitle, company, date_from, date_to)
        workbook.close()
        return buffer.getvalue()

    # ------------------------------------------------------------------
    def _write_table(self, sheet, styles, title, subtitle, columns, rows, totals=True):
        """columns: [(label, kind, width)], kind in text/int/money/pct."""
        sheet.write(0, 0, title, styles["title"])
        if subtitle:
            sheet.write(1, 0, subtitle)
        header_row = 3
        for col, (label, _kind, width) in enumerate(columns):
            sheet.write(header_row, col, label, styles["header"])
            sheet.set_column(col, col, width)
        sheet.set_row(header_row, 30)
        sheet.freeze_panes(header_row + 1, 0)
        row = header_row
        for values in rows:
            row += 1
            for col, ((_label, kind, _width), value) in enumerate(
                zip(columns, values, strict=True)
            ):
                sheet.write(row, col, value, styles[kind])
        if totals and rows:
            row += 1
            sheet.write(row, 0, self.env._("Total"), styles["total_text"])
            for col, (_label, kind, _width) in enumerate(columns[1:], start=1):
                if kind in ("int", "money"):
                    total = sum(values[col] or 0 for values in rows)
                    sheet.write(row, col, total, styles[f"total_{kind}"])
                else:
                    sheet.write(row, col, "", styles["total_text"])
        return row

    def _sheet_fees(self, workbook, styles, subtitle, domain):
        sheet = workbook.add_worksheet(self.env._("Service Fees"))
        groups = self.env["eldercare.statement.line"]._read_group(
            domain,
            ["period", "provider_id", "product_id", "community_id"],
            [
                "__count",
                "quantity:sum",
                "amount:sum",
                "amount_elder:sum",
                "amount_subsidy:sum",
            ],
            order="period, provider_id, product_id, community_id",
        )
        rows = []
        for period, provider, product, community, *figures in groups:
            rows.append(
                [
                    period,
                    provider.display_name or "",
                    product.display_name or "",
                    community.name or "",
                    *figures,
                ]
            )
        columns = [
            (self.env._("Month"), "text", 10),
            (self.env._("Provider"), "text", 28),
            (self.env._("Service"), "text", 20),
            (self.env._("Community"), "text", 24),
            (self.env._("Work Orders"), "int", 10),
            (self.env._("Quantity"), "money", 10),
            (self.env._("Amount"), "money", 14),
            (self.env._("Elder Share"), "money", 14),
            (self.env._("Subsidy Share"), "money", 14),
        ]
        self._write_table(
            sheet, styles, self.env._("Service fees"), subtitle, columns, rows
        )

    def _sheet_subsidies(self, workbook, styles, subtitle, domain):
        sheet = workbook.add_worksheet(self.env._("Subsidies"))
        groups = self.env["eldercare.statement.line"]._read_group(
            [*domain, ("amount_subsidy", "!=", 0)],
            ["payer_id", "elder_category_id", "period"],
            ["partner_id:count_distinct", "__count", "amount_subsidy:sum"],
            order="payer_id, elder_category_id, period",
        )
        rows = [
            [
                payer.display_name or "",
                category.display_name or "",
                period,
                elders,
                count,
                amount,
            ]
            for payer, category, period, elders, count, amount in groups
        ]
        columns = [
            (self.env._("Subsidy Payer"), "text", 28),
            (self.env._("Elder Category"), "text", 16),
            (self.env._("Month"), "text", 10),
            (self.env._("Elders"), "int", 10),
            (self.env._("Services"), "int", 10),
            (self.env._("Subsidy Amount"), "money", 16),
        ]
        self._write_table(
            sheet, styles, self.env._("Subsidy amounts"), subtitle, columns, rows
        )

    def _sheet_elders(self, workbook, styles, company):
        sheet = workbook.add_worksheet(self.env._("Elders"))
        report = self.env["eldercare.elder.report"]
        bands = dict(report._fields["age_band"]._description_selection(self.env))
        groups = report._read_group(
            [("company_id", "in", (company.id, False))],
            ["elder_category_id", "community_id", "age_band", "certified"],
            ["__count"],
            order="elder_category_id, community_id, age_band, certified",
        )
        rows = [
            [
                category.display_name or self.env._("(no category)"),
                community.name or self.env._("(no community)"),
                bands.get(band, band or ""),
                self.env._("Yes") if certified else self.env._("No"),
                count,
            ]
            for category, community, band, certified, count in groups
        ]
        columns = [
            (self.env._("Elder Category"), "text", 16),
            (self.env._("Community"), "text", 24),
            (self.env._("Age Band"), "text", 12),
            (self.env._("Certified"), "text", 10),
            (self.env._("Elders"), "int", 10),
        ]
        self._write_table(
            sheet, styles, self.env._("Elders"), company.name, columns, rows
        )

    def _sheet_work_orders(
        self, workbook, styles, subtitle, company, date_from, date_to
    ):
        sheet = workbook.add_worksheet(self.env._("Work Orders"))
        report = self.env["eldercare.work.order.report"]
        states = dict(report._fields["state"]._description_selection(self.env))
        groups = report._read_group(
            [
                ("company_id", "=", company.id),
                ("date", ">=", date_from),
                ("date", "<=", date_to),
            ],
            ["state", "provider_id", "product_id"],
            [
                "__count",
                "completed_count:sum",
                "on_time_count:sum",
                "rated_count:sum",
                "satisfaction:avg",
            ],
            order="state, provider_id, product_id",
        )
        rows = []
        for state, provider, product, count, completed, on_time, rated, sat in groups:
            rows.append(
                [
                    states.get(state, state or ""),
                    provider.display_name or self.env._("(no provider)"),
                    product.display_name or "",
                    count,
                    completed,
                    round(100.0 * on_time / completed, 1) if completed else "",
                    rated,
                    round(sat, 2) if rated else "",
                ]
            )
        columns = [
            (self.env._("State"), "text", 12),
            (self.env._("Provider"), "text", 28),
            (self.env._("Service"), "text", 20),
            (self.env._("Work Orders"), "int", 10),
            (self.env._("Completed"), "int", 10),
            (self.env._("On-time Rate (%)"), "pct", 12),
            (self.env._("Rated"), "int", 8),
            (self.env._("Satisfaction (1-5)"), "pct", 12),
        ]
        self._write_table(
            sheet, styles, self.env._("Work orders"), subtitle, columns, rows
        )
