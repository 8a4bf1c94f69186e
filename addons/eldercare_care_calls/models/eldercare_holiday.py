"""The center's public holidays, as the proactive care calls see them.

* A check-in plan may skip its calls on a holiday (*Skip Public Holidays*,
  off by default: an elder living alone needs the call most when the family
  is away); the morning planning leaves those plans out that day.
* Care calls (surveys, greetings, reminders) are never placed on a holiday:
  they wait for the next working day, after its quiet hours
  (``eldercare.pbx._eldercare_call_quiet_until``, eldercare_pbx_care_call.py)."""

from odoo import api, fields, models


class EldercareHoliday(models.Model):
    _name = "eldercare.holiday"
    _description = "Public Holiday"
    _order = "date desc"

    name = fields.Char(required=True, translate=True)
    date = fields.Date(required=True, index=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda s: s.env.company
    )

    _sql_constraints = [
        ("date_uniq", "unique(date, company_id)", "A day is listed once."),
    ]

    @api.model
    def _eldercare_holiday_companies(self, day):
        """Ids of the companies for which ``day`` is a public holiday."""
        return set(self.sudo().search([("date", "=", day)]).company_id.ids)


class EldercareCheckinPlan(models.Model):
    _inherit = "eldercare.checkin.plan"  # pylint: disable=consider-merging-classes-inherited

    skip_holidays = fields.Boolean(
        "Skip Public Holidays",
        help="No check-in call on the center's public holidays (Configuration "
        "> Public Holidays). Off: the elder is called every selected day.",
    )

    @api.model
    def _eldercare_plans_of_day(self, day, plans):
        plans = super()._eldercare_plans_of_day(day, plans)
        closed = self.env["eldercare.holiday"]._eldercare_holiday_companies(day)
        if not closed:
            return plans
        return plans.filtered(
            lambda p: not (p.skip_holidays and p.company_id.id in closed)
        )
