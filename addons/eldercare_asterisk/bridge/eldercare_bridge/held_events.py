"""Escalation steps of an alarm Odoo has not recorded yet, held back.

Answered from the routing replica, an emergency call starts ringing its
escalation chain before Odoo has raised its alert; Odoo writes each step
(AMI ``UserEvent(EldercareEscalation)``) on the call's alert and has nothing
to write it on yet. The bridge keeps those events while the call's alarm is
still in flight (its routing request running in Odoo, or the alarm in the
spool) and forwards them, in order, once Odoo has the alert: no step is lost,
however late Odoo answers."""

import asyncio
import logging

_logger = logging.getLogger("eldercare_bridge.held_events")

HELD_MAX = 5000  # events held in all (a very long Odoo outage)
PER_CALL_MAX = 50


class HeldEvents:
    def __init__(self, bridge, interval=0.1):
        self.bridge = bridge
        self.interval = interval
        self.held = {}  # linkedid -> [frames]
        self.count = 0
        self.stats = {"held": 0, "released": 0, "dropped": 0}

    def _in_flight(self, linkedid):
        return (
            linkedid in self.bridge.late_routes or linkedid in self.bridge.spool.pending
        )

    def hold(self, frame):
        """True when ``frame`` is kept back (an escalation step of an alarm
        Odoo has not recorded yet)."""
        if (
            frame.get("Event") != "UserEvent"
            or frame.get("UserEvent") != "EldercareEscalation"
        ):
            return False
        linkedid = frame.get("Linkedid")
        if not isinstance(linkedid, str) or not self._in_flight(linkedid):
            return False
        frames = self.held.setdefault(linkedid, [])
        if len(frames) >= PER_CALL_MAX or self.count >= HELD_MAX:
            self.stats["dropped"] += 1
            _logger.warning(
                "escalation step of %s not held (%d held): sent before its alert",
                linkedid,
                self.count,
            )
            return False
        frames.append(frame)
        self.count += 1
        self.stats["held"] += 1
        return True

    def release_ready(self):
        """Forward the held steps of every alarm Odoo now has."""
        for linkedid in [lid for lid in self.held if not self._in_flight(lid)]:
            frames = self.held.pop(linkedid)
            self.count -= len(frames)
            for frame in frames:
                self.bridge.events.push(frame)
            self.stats["released"] += len(frames)
            _logger.info(
                "%d escalation step(s) of %s forwarded after its alert",
                len(frames),
                linkedid,
            )

    async def _loop(self):
        while True:
            await asyncio.sleep(self.interval)
            if self.held:
                self.release_ready()

    def start(self):
        return asyncio.get_running_loop().create_task(
            self._loop(), name="held-escalation-events"
        )
