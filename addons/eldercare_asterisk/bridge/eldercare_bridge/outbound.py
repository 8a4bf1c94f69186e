"""FastAGI ``/outbound``: may this number be dialled out?

The dialplan's ``eldercare-outbound-check`` (extensions_evidence.conf) asks
before every outbound Dial, whoever placed the call (Odoo's dialer, an
operator's phone, or anybody with AMI Originate). The answer comes from the
bridge's copy of Odoo's ``bridge_config()["outbound_patterns"]`` (cached on
disk), not from a round trip to Odoo: an allowed number is dialled at once.
A bridge that has no copy yet asks Odoo once (at most 3 s); with no pattern
known at all every number is refused (fail closed; the dialplan still lets
its static emergency numbers out when the bridge is unreachable). International and
premium-rate numbers are refused whatever the patterns say, as in
``res.company._eldercare_check_outbound_number``.
"""

import asyncio
import logging
import re

_logger = logging.getLogger("eldercare_bridge.outbound")

FIRST_CONFIG = 3.0  # seconds an outbound check waits for a first bridge_config
REFUSED = (
    (re.compile(r"^(\+|00)"), "international"),
    (re.compile(r"^(1900|1259)"), "premium-rate"),
)


def check_number(number, patterns):
    """(allowed, reason) for the digits ``number`` against Odoo's patterns."""
    digits = re.sub(r"[\s().-]", "", str(number or ""))
    for pattern, reason in REFUSED:
        if pattern.match(digits):
            return False, reason
    if not digits.isdigit():
        return False, "not-a-number"
    for pattern in patterns or ():
        try:
            if re.fullmatch(str(pattern), digits):
                return True, "allowed"
        except re.error:
            _logger.warning("outbound pattern %r is not a regular expression", pattern)
    return False, "not-allowed"


class OutboundGuard:
    def __init__(self, bridge):
        self.bridge = bridge
        self.stats = {"allowed": 0, "refused": 0}

    async def handle_outbound(self, session):
        args = session.args
        number = args[0].strip() if args else ""
        if "outbound_patterns" not in self.bridge.bridge_config:
            # a bridge that never heard from Odoo (no cache yet) asks once,
            # briefly; still nothing: refused
            try:
                await asyncio.wait_for(self.bridge.refresh_config(), FIRST_CONFIG)
            except Exception as exc:
                _logger.warning("no outbound patterns from Odoo yet (%r)", exc)
        patterns = self.bridge.bridge_config.get("outbound_patterns") or ()
        allowed, reason = check_number(number, patterns)
        self.stats["allowed" if allowed else "refused"] += 1
        if not allowed:
            _logger.warning("outbound call to %r refused: %s", number, reason)
        await session.set_variable("EC_OUTBOUND", "allow" if allowed else "deny")
        await session.set_variable("EC_OB_REASON", reason)
