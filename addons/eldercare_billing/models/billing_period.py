import calendar
from datetime import date

from odoo import api, fields, models
from odoo.exceptions import ValidationError


def period_bounds(period):
    """('2026-11') -> (date(2026, 11, 1), date(2026, 11, 30))."""
    year, month = (int(part) for part in period.split("-"))
    return (
        date(year, month, 1),
        date(year, month, calendar.monthrange(year, month)[1]),
    )


class EldercarePeriodMixin(models.AbstractModel):
    """A month written YYYY-MM in ``period`` (declared by the model) and its
    first and last day: statements and month-end runs."""

    _name = "eldercare.period.mixin"
    _description = "Eldercare Billing Month"

    date_from = fields.Date(compute="_compute_dates", store=True)
    date_to = fields.Date(compute="_compute_dates", store=True)

    @api.depends("period")
    def _compute_dates(self):
        for record in self:
            try:
                record.date_from, record.date_to = period_bounds(record.period)
            except (AttributeError, ValueError):
                record.date_from = record.date_to = False

    @api.constrains("period")
    def _check_period(self):
        for record in self:
            try:
                period_bounds(record.period)
            except (AttributeError, ValueError) as err:
                raise ValidationError(
                    self.env._("The period must be written YYYY-MM, e.g. 2026-11.")
                ) from err
