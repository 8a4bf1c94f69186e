from datetime import datetime, timezone

from odoo import fields


def utc_datetime(value):
    """The one timestamp parser: a datetime, an epoch (number or numeric text,
    AMI's ``Timestamp``), an ISO text with or without offset (``Z`` too) or
    Odoo's ``YYYY-MM-DD HH:MM:SS`` -> naive UTC datetime to the second, as
    Odoo stores it. False when empty or unreadable (never raises: what comes
    over the wire may be anything)."""
    if not value or isinstance(value, bool):
        return False
    if isinstance(value, datetime):
        parsed = value
    else:
        text = str(value).strip()
        if not text:
            return False
        try:
            epoch = float(text)
        except ValueError:
            epoch = None
        try:
            if epoch is not None:
                parsed = datetime.fromtimestamp(epoch, tz=timezone.utc)
            else:
                parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except (ValueError, OverflowError, OSError):
            try:
                parsed = fields.Datetime.to_datetime(text)
            except ValueError:
                return False
    if parsed.tzinfo:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed.replace(microsecond=0)
