from datetime import datetime, time

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

DONE_STATES = ("done", "verified")


class EldercareGovSummary(models.TransientModel):
    """Monthly summary of one area (and everything below it), computed with
    the reader's own access rights: an official only ever counts their
    subtree."""

    _name = "eldercare.gov.summary"
    _description = "Area Monthly Summary"

    month = fields.Char(
        required=True,
        default=lambda self: fields.Date.context_today(self).strftime("%Y-%m"),
        help="YYYY-MM",
    )
    area_id = fields.Many2one(
        "eldercare.area",
        default=lambda self: self.env.user.eldercare_area_ids[:1],
        help="Leave empty for every area you can see.",
    )

    @api.constrains("month")
    def _check_month(self):
        for summary in self:
            summary._period()

    def _period(self):
        """(first day, first day of next month) of ``month``."""
        self.ensure_one()
        try:
            start = datetime.strptime(self.month or "", "%Y-%m").date()
        except ValueError:
            raise UserError(
                _("“%(month)s” is not a month: type it as 2026-11.", month=self.month)
            ) from None
        return start, start + relativedelta(months=1)

    def _area_domain(self, field="community_id"):
        return [(field, "child_of", self.area_id.id)] if self.area_id else []

    # ------------------------------------------------------------ figures
    def _eldercare_gov_summary(self):
        """The four tables of the summary and their totals (read_group only:
        one query per table, whatever the number of elders)."""
        self.ensure_one()
        start, end = self._period()
        dt_start = datetime.combine(start, time.min)
        dt_end = datetime.combine(end, time.min)
        env = self.env
        area = self._area_domain()
        alerts = env["eldercare.alert"]._read_group(
            area + [("received_at", ">=", dt_start), ("received_at", "<", dt_end)],
            ["type_id"],
            ["__count", "answer_seconds:avg", "onsite_seconds:avg"],
        )
        services = env["eldercare.work.order"]._read_group(
            area
            + [
                ("state", "in", DONE_STATES),
                ("date_scheduled", ">=", dt_start),
                ("date_scheduled", "<", dt_end),
            ],
            ["product_id", "provider_id"],
            ["__count", "amount_total:sum"],
        )
        subsidies = env["eldercare.statement.line"]._read_group(
            area
            + [
                ("period", "=", self.month),
                ("statement_id.state", "!=", "cancel"),
                ("amount_subsidy", "!=", 0),
            ],
            ["payer_id", "elder_category_id"],
            ["amount_subsidy:sum", "__count"],
        )
        elders = env["res.partner"]._read_group(
            area + [("is_elder", "=", True)],
            ["elder_category_id", "age_band"],
            ["__count"],
        )
        bands = dict(env["res.partner"]._fields["age_band"]._description_selection(env))
        result = {
            "alerts": [
                {
                    "type": alert_type.display_name or env._("Unknown"),
                    "count": count,
                    "answer_seconds": answer or 0.0,
                    "onsite_seconds": onsite or 0.0,
                }
                for alert_type, count, answer, onsite in alerts
            ],
            "services": [
                {
                    "service": product.display_name,
                    "provider": provider.display_name or env._("In-house"),
                    "count": count,
                    "amount": amount or 0.0,
                }
                for product, provider, count, amount in services
            ],
            "subsidies": [
                {
                    "payer": payer.display_name or env._("No payer"),
                    "category": category.display_name or env._("No category"),
                    "amount": amount or 0.0,
                    "count": count,
                }
                for payer, category, amount, count in subsidies
            ],
            "elders": [
                {
                    "category": category.display_name or env._("No category"),
                    "age_band": bands.get(band, env._("Unknown")),
                    "count": count,
                }
                for category, band, count in elders
            ],
        }
        result["totals"] = {
            "alerts": sum(row["count"] for row in result["alerts"]),
            "services": sum(row["count"] for row in result["services"]),
            "services_amount": sum(row["amount"] for row in result["services"]),
            "subsidy": sum(row["amount"] for row in result["subsidies"]),
            "elders": sum(row["count"] for row in result["elders"]),
        }
        return result

    # ------------------------------------------------------------ actions
    def action_print(self):
        self.ensure_one()
        self._period()
        return self.env.ref(
            "eldercare_government.action_report_gov_summary"
        ).report_action(self)

    def action_export_xlsx(self):
        self.ensure_one()
        self._period()
        return {
            "type": "ir.actions.act_url",
            "url": f"/eldercare/government/summary/{self.id}.xlsx",
            "target": "self",
        }
