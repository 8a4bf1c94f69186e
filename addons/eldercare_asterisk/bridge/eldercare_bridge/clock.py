"""The one timestamp format the bridge sends Odoo."""

import datetime


def utc_iso(epoch=None):
    """``epoch`` (now when None) as Odoo writes a datetime: UTC, naive,
    ``YYYY-MM-DD HH:MM:SS``."""
    moment = (
        datetime.datetime.now(datetime.timezone.utc)
        if epoch is None
        else datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    )
    return moment.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
