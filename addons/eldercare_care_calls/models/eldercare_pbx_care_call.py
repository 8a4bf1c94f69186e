"""Quiet hours of the automated care calls (surveys, greetings, reminders).

Emergency calls (the responder cascade) never wait: only the care calls ask
``eldercare.pbx._eldercare_call_quiet_until()`` before they are placed."""

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
    def _eldercare_call_window(self):
        """(quiet start, quiet end) in minutes after local midnight and the
        timezone, or None when care calls may be placed at any hour.

        System parameter ``eldercare_care_calls.quiet_hours`` ("20:00-08:00" by
        default, "none" = never quiet), local time of
        ``eldercare_care_calls.timezone`` (Asia/Shanghai by default)."""
        get = self.env["ir.config_parameter"].sudo().get_param
        window = get(QUIET_PARAM, DEFAULT_QUIET) or ""
        if "-" not in window:
            return None
        first, _sep, last = window.partition("-")
        try:
            start, end = _minutes(first), _minutes(last)
            tz = pytz.timezone(get(TZ_PARAM) or DEFAULT_CALL_TZ)
        except (ValueError, pytz.UnknownTimeZoneError):
            _logger.warning("Care calls: malformed quiet hours %r ignored", window)
            return None
        return (start, end, tz) if start != end else None

    @api.model
    def _eldercare_call_quiet_until(self, now=None):
        """End of the care calls' quiet hours (naive UTC) when ``now`` (naive
        UTC, default now) falls inside them, else False."""
        window = self._eldercare_call_window()
        if not window:
            return False
        start, end, tz = window
        now = now or fields.Datetime.now()
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
