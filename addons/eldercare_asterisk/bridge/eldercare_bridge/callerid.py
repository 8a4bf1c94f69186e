"""Caller-id hygiene: never trust what the network puts in a caller id."""

import re

MAX_LEN = 64
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PHONE = re.compile(r"^\+?[0-9]{3,20}$")
_ANONYMOUS = {"", "unknown", "anonymous", "restricted", "private", "unavailable"}


def sanitize(raw):
    """Return (clean, problem).

    ``clean`` is safe to log and to send to Odoo (printable, at most 64 chars);
    ``problem`` is None for a plausible phone number, else a short reason that the
    caller logs. The raw value is never interpreted: Odoo receives the text, as
    data, and decides (unknown caller -> IVR / alert without elder).
    """
    if raw is None:
        return "", "missing"
    if not isinstance(raw, str):
        raw = str(raw)
    text = _CONTROL.sub("", raw).strip()
    problem = None
    if len(text) > MAX_LEN:
        problem = f"too long ({len(text)} chars)"
        text = text[:MAX_LEN]
    compact = re.sub(r"[\s\-().]", "", text)
    if compact.lower() in _ANONYMOUS:
        return "", problem or f"anonymous ({text!r})"
    if problem is None and not _PHONE.match(compact):
        problem = "not a phone number"
    return text, problem
