from datetime import date

from odoo import fields, http
from odoo.exceptions import AccessError
from odoo.http import content_disposition, request

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content, filename):
    """An XLSX workbook (bytes) as a download named ``filename``."""
    return request.make_response(
        content,
        headers=[
            ("Content-Type", XLSX_MIME),
            ("Content-Length", str(len(content))),
            ("Content-Disposition", content_disposition(filename)),
        ],
    )


def settlement_xlsx_response(move):
    """The settlement sheet of a provider bill, as an XLSX download."""
    return xlsx_response(
        move._eldercare_settlement_xlsx(),
        f"settlement-{move.eldercare_period or ''}-{move.id}.xlsx",
    )


class EldercareBillingReport(http.Controller):
    @http.route("/eldercare/billing/report.xlsx", type="http", auth="user")
    def billing_report_xlsx(self, date_from=None, date_to=None, company_id=None, **kw):
        """Billing workbook. ``date_from``/``date_to`` as YYYY-MM-DD (default:
        this year), ``company_id`` (default: the user's current company)."""
        env = request.env
        env["eldercare.statement.line"].check_access("read")
        if not (
            env.user.has_group("eldercare_base.group_eldercare_finance")
            or env.user.has_group("eldercare_base.group_eldercare_supervisor")
        ):
            raise AccessError(
                env._("The billing reports are for finance staff and supervisors.")
            )
        today = fields.Date.context_today(env.user)
        start = fields.Date.to_date(date_from) if date_from else date(today.year, 1, 1)
        end = fields.Date.to_date(date_to) if date_to else today
        company = env.company
        if company_id and int(company_id) in env.user.company_ids.ids:
            company = env["res.company"].browse(int(company_id))
        content = (
            env["eldercare.billing.xlsx"]
            .with_company(company)
            ._build_xlsx(start, end, company)
        )
        return xlsx_response(content, f"eldercare-billing-{start:%Y%m}-{end:%Y%m}.xlsx")

    @http.route(
        "/eldercare/billing/settlement/<int:move_id>.xlsx", type="http", auth="user"
    )
    def settlement_xlsx(self, move_id, **kw):
        """Settlement sheet of one provider bill (finance staff)."""
        env = request.env
        move = env["account.move"].browse(move_id).exists()
        if not move or move.eldercare_billing_kind != "provider":
            raise AccessError(env._("This is not a provider settlement."))
        move.check_access("read")
        if not env.user.has_group("eldercare_base.group_eldercare_finance"):
            raise AccessError(env._("Provider settlements are for finance staff."))
        return settlement_xlsx_response(move)
