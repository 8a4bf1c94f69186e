"""Quiet hours of the automated care calls (surveys, greetings, reminders).

Emergency calls (the responder cascade) never wait: only the care calls ask
``eldercare.pbx._eldercare_call_quiet_until()`` before they are placed. The
center's public holidays (eldercare_holiday.py) are kept here too.

One timezone for all of it: ``eldercare.pbx._eldercare_care_tz()``."""

import datetime
import logging

import pytz

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

QUIET_PARAM = "eldercare_care_calls.quiet_hours"
TZ_PARAM = "eldercare_care_calls.timezone"
DEFAULT_QUIET = "20:00-08:00"
DEFAULT_CALL_TZ = "Asia/Shanghai"


def _minutes(text):
    """'8:30' -> 510 (minutes after midnight); raises ValueError."""
    hours, _sep, minutes = text.strip().partition(":")
    value = int(hours) * 60 + int(minutes or 0)
    if not 0 <= value <= 24 * 60:
        raise ValueError(text)
    return value % (24 * 60)


class EldercarePbx(models.AbstractModel):
    _inherit = "eldercare.pbx"

    @api.model
    def _eldercare_care_tz(self):
        """THE timezone of the center's care calls (a pytz timezone): their
        quiet hours and holidays, the day the check-ins are planned for and
        the check-in window of an elder with no timezone of their own, the days
        of the reminder calls. System parameter ``eldercare_care_calls.timezone``,
        else the company's timezone, else Asia/Shanghai; never the timezone of
        the user who happens to press a button or of the cron's user."""
        name = (
            self.env["ir.config_parameter"].sudo().get_param(TZ_PARAM)
            or self.env.company.partner_id.tz
            or DEFAULT_CALL_TZ
        )
        try:
            return pytz.timezone(name)
        except pytz.UnknownTimeZoneError:
            _logger.warning(
                "Care calls: unknown timezone %r, %s used", name, DEFAULT_CALL_TZ
            )
            return pytz.timezone(DEFAULT_CALL_TZ)

    @api.model
    def _eldercare_call_window(self):
        """(quiet start, quiet end) in minutes after local midnight and the
        timezone, or None when care calls may be placed at any hour.

        System parameter ``eldercare_care_calls.quiet_hours`` ("20:00-08:00" by
        default, "none" = never quiet), local time of the care calls'
        timezone (:meth:`_eldercare_care_tz`)."""
        get = self.env["ir.config_parameter"].sudo().get_param
        window = get(QUIET_PARAM, DEFAULT_QUIET) or ""
        if "-" not in window:
            return None
        first, _sep, last = window.partition("-")
        try:
            start, end = _minutes(first), _minutes(last)
        except ValueError:
            _logger.warning("Care calls: malformed quiet hours %r ignored", window)
            return None
        return (start, end, self._eldercare_care_tz()) if start != end else None

    @api.model
    def _eldercare_call_quiet_until(self, now=None):
        """When a care call due at ``now`` (naive UTC, default now) may be
        placed (naive UTC), or False for at once: after the quiet hours, then
        after the company's public holidays (a call that falls on a holiday
        waits for the next working day, at the end of its quiet hours)."""
        now = now or fields.Datetime.now()
        window = self._eldercare_call_window()
        until = self._eldercare_quiet_hours_until(window, now)
        tz = window[2] if window else self._eldercare_care_tz()
        holidays = set(
            self.env["eldercare.holiday"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.env.company.id),
                    ("date", ">=", fields.Date.to_date(now)),
                ]
            )
            .mapped("date")
        )
        local = pytz.utc.localize(until or now).astimezone(tz)
        if local.date() not in holidays:
            return until
        day = local.date()
        while day in holidays:
            day += datetime.timedelta(days=1)
        start = window[1] if window else 0  # the end of the quiet hours
        opens = tz.localize(
            datetime.datetime.combine(day, datetime.time(start // 60, start % 60))
        )
        return opens.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _eldercare_quiet_hours_until(self, window, now):
        """End of the quiet hours ``window`` (naive UTC) when ``now`` (naive
        UTC) falls inside them, else False."""
        if not window:
            return False
        start, end, tz = window
        local = pytz.utc.localize(now).astimezone(tz)
        minute = local.hour * 60 + local.minute
        wraps = start > end  # e.g. 20:00-08:00 spans midnight
        inside = (minute >= start or minute < end) if wraps else start <= minute < end
        if not inside:
            return False
        day = local.date() + datetime.timedelta(days=1 if minute >= end else 0)
        until = tz.localize(
            datetime.datetime.combine(day, datetime.time(end // 60, end % 60))
        )
        return until.astimezone(pytz.utc).replace(tzinfo=None)
