"""What the telephony bridge last reported about itself (its heartbeat).

The bridge calls ``eldercare.pbx.bridge.bridge_heartbeat`` every few seconds
with the alarms it holds in its spool that Odoo has not recorded yet and the
ones that keep failing (its dead-letter list). Supervisors see both on the
alert dashboard; a heartbeat that stops coming is shown too.
"""

import json

from odoo import api, fields, models

# the bridge reports every 10 s; three missed beats and the dashboard says so
STALE_SECONDS = 35


class EldercareBridgeStatus(models.Model):
    _name = "eldercare.bridge.status"
    _description = "Telephony Bridge Heartbeat"
    _order = "last_seen desc"

    name = fields.Char(string="Bridge", required=True, readonly=True)
    last_seen = fields.Datetime(readonly=True)
    pending_count = fields.Integer(
        string="Alarms Not Recorded",
        readonly=True,
        help="Alarms the bridge holds in its spool that Odoo has not recorded yet.",
    )
    oldest_pending_at = fields.Datetime(
        string="Oldest Unrecorded Alarm Since", readonly=True
    )
    dead_letter_count = fields.Integer(
        string="Failing Alarms",
        readonly=True,
        help="Alarms Odoo refused several times: the bridge keeps retrying "
        "them, slowly, and lists them here for a person to look at.",
    )
    dead_letters = fields.Text(readonly=True)
    emergency_queue_members = fields.Integer(
        readonly=True,
        help="Logged-in, unpaused members of the emergency queue (-1: unknown).",
        default=-1,
    )

    _sql_constraints = [
        ("name_uniq", "unique(name)", "One heartbeat row per bridge."),
    ]

    @api.model
    def _record_heartbeat(self, name, report):
        now = fields.Datetime.now()
        oldest_age = report.get("oldest_pending_seconds") or 0
        try:
            oldest_age = max(float(oldest_age), 0.0)
        except (TypeError, ValueError):
            oldest_age = 0.0
        dead = report.get("dead_letters")
        dead = (
            [d for d in dead if isinstance(d, dict)][:50]
            if isinstance(dead, list)
            else []
        )
        try:
            members = int(report.get("emergency_queue_members", -1))
        except (TypeError, ValueError):
            members = -1
        vals = {
            "last_seen": now,
            "pending_count": max(int(report.get("pending") or 0), 0),
            "oldest_pending_at": fields.Datetime.subtract(now, seconds=oldest_age)
            if report.get("pending")
            else False,
            "dead_letter_count": len(dead),
            "dead_letters": json.dumps(dead, ensure_ascii=False, default=str),
            "emergency_queue_members": members,
        }
        status = self.search([("name", "=", name)], limit=1)
        if status:
            status.write(vals)
        else:
            status = self.create(dict(vals, name=name))
        return status

    @api.model
    def _eldercare_dashboard_status(self):
        """The bridges' state for the alert dashboard (supervisors)."""
        now = fields.Datetime.now()
        rows = []
        for status in self.sudo().search([]):
            age = (now - status.last_seen).total_seconds() if status.last_seen else None
            oldest = (
                (now - status.oldest_pending_at).total_seconds()
                if status.oldest_pending_at
                else 0
            )
            rows.append(
                {
                    "name": status.name,
                    "silent_seconds": int(age) if age is not None else None,
                    "stale": age is None or age > STALE_SECONDS,
                    "pending": status.pending_count,
                    "oldest_pending_seconds": int(oldest),
                    "dead_letters": json.loads(status.dead_letters or "[]"),
                    "emergency_queue_members": status.emergency_queue_members,
                }
            )
        return rows
