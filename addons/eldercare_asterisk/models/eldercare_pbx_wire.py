"""Wire helpers of the telephony bridge API: what comes over JSON-RPC from
the bridge (AMI fields, AGI parameters) made into short printable values.
Plain functions, no model; used by the bridge API, the voice menu and the
AMI events of the call log."""

import re

from odoo import fields

from odoo.addons.eldercare_base.tools import utc_datetime

WARM_MODELS = (
    "eldercare.alert",
    "mail.message",
    "mail.followers",
    "mail.tracking.value",
    "eldercare.call",
)
QUEUE_EMERGENCY = "eldercare-emergency"
QUEUE_SERVICE = "eldercare-service"
MAX_FIELD = 64
ANONYMOUS_CALLER_IDS = ("", "unknown", "anonymous", "restricted", "private")
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
CHANNEL_SUFFIX_RE = re.compile(r"-[0-9a-fA-F]{6,}(;[12])?$")
LOCAL_RE = re.compile(r"^Local/([^@]+)@", re.IGNORECASE)
# the one vocabulary of a call raising an alert (eldercare.alert._raise_from_calls)
INTAKE_KEYS = (
    "linkedid",
    "caller_number",
    "caller_number_e164",
    "did",
    "channel",
    "received_at",
    "elder_id",
    "type_code",
    "is_training",
)


def _text(value, size=MAX_FIELD):
    """Any value from the wire -> short printable str ('' for garbage)."""
    if value is None or value is False or isinstance(value, dict | list | tuple):
        return ""
    if isinstance(value, bytes):
        value = value.decode(errors="replace")
    return CONTROL_RE.sub("", str(value)).strip()[:size]


def _caller_id(value):
    """A caller id from the wire, '' when there is none: Asterisk writes an
    empty one as ``<unknown>`` (a Local channel's first events, a withheld
    number), which is no number to find an elder by."""
    text = _text(value)
    return "" if text.strip("<>").lower() in ANONYMOUS_CALLER_IDS else text


def _parse_ts(value):
    """A timestamp the bridge sent (AMI ``Timestamp`` epoch, ISO text) as Odoo
    stores it; now when it is missing or unreadable."""
    return utc_datetime(value) or fields.Datetime.now()


def _int(value, default=0):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _event_linkedid(event):
    return _text(event.get("Linkedid") or event.get("DestLinkedid"), 150)


def _endpoint_of(channel):
    """'PJSIP/1001-0000000a' -> 'PJSIP/1001'."""
    return CHANNEL_SUFFIX_RE.sub("", channel or "")
