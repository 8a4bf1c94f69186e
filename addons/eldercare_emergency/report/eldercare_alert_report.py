from odoo import fields, models, tools
from odoo.tools import SQL

DURATIONS = {
    "answer_seconds": "answered_at",
    "confirm_seconds": "confirmed_at",
    "dispatch_seconds": "dispatched_at",
    "onsite_seconds": "onsite_at",
    "resolve_seconds": "resolved_at",
    "close_seconds": "closed_at",
}


def _averaged(string, **kwargs):
    """A figure of one alert that a group-by averages (times in seconds,
    rates in %), shown with one decimal."""
    return fields.Float(
        string=string, readonly=True, aggregator="avg", digits=(16, 1), **kwargs
    )


class EldercareAlertReport(models.Model):
    """Response times of alerts (SQL view).

    Unlike the stored durations on the alert, a step that did not happen is
    NULL here, so averages only count the alerts that went through it. The
    answer rates are 100/0 per alert (averaged = percentage); an alert still
    ringing is counted only once its limit has passed."""

    _name = "eldercare.alert.report"
    _description = "Alert Response Times"
    _auto = False
    _rec_name = "name"
    _order = "received_at desc"

    alert_id = fields.Many2one("eldercare.alert", readonly=True)
    name = fields.Char(string="Reference", readonly=True)
    received_at = fields.Datetime(readonly=True)
    elder_id = fields.Many2one("res.partner", readonly=True)
    community_id = fields.Many2one("eldercare.area", readonly=True)
    type_id = fields.Many2one("eldercare.alert.type", readonly=True)
    channel = fields.Selection(
        lambda self: self.env["eldercare.alert"]._fields["channel"].selection,
        readonly=True,
    )
    state = fields.Selection(
        lambda self: self.env["eldercare.alert"]._fields["state"].selection,
        readonly=True,
    )
    operator_id = fields.Many2one("res.users", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    is_overdue = fields.Boolean(string="Overdue", readonly=True)
    answer_seconds = _averaged("Answer Time (s)")
    confirm_seconds = _averaged("Confirm Time (s)")
    dispatch_seconds = _averaged("Dispatch Time (s)")
    onsite_seconds = _averaged("On Site Time (s)")
    resolve_seconds = _averaged("Resolve Time (s)")
    close_seconds = _averaged("Close Time (s)")
    answered_60_rate = _averaged(
        "% Answered ≤ 60 s",
        help="Target: 97.5 % of alerts answered within 60 seconds.",
    )
    answered_180_rate = _averaged(
        "% Answered ≤ 180 s",
        help="Target: 99 % of alerts answered within 180 seconds.",
    )

    def _rate_sql(self, seconds):
        return SQL(
            """CASE
                WHEN a.answered_at IS NOT NULL THEN
                    CASE WHEN a.answered_at - a.received_at <= %(limit)s
                        THEN 100.0 ELSE 0.0 END
                WHEN a.received_at < (NOW() AT TIME ZONE 'UTC') - %(limit)s
                    THEN 0.0
            END""",
            limit=SQL("interval %s", f"{int(seconds)} seconds"),
        )

    def _query(self):
        durations = SQL(", ").join(
            # GREATEST() ignores NULL: keep a missing step NULL explicitly
            SQL(
                "CASE WHEN a.%(stamp)s IS NOT NULL THEN "
                "GREATEST(EXTRACT(EPOCH FROM a.%(stamp)s - a.received_at), 0) "
                "END AS %(column)s",
                stamp=SQL.identifier(stamp),
                column=SQL.identifier(column),
            )
            for column, stamp in DURATIONS.items()
        )
        return SQL(
            """SELECT a.id AS id, a.id AS alert_id, a.name, a.received_at,
                a.elder_id, a.community_id, a.type_id, a.channel, a.state,
                a.operator_id, a.company_id, a.is_overdue, %(durations)s,
                %(rate_60)s AS answered_60_rate, %(rate_180)s AS answered_180_rate
            FROM eldercare_alert a
            -- training alerts (simulated calls) never count in a figure
            WHERE NOT coalesce(a.is_training, false)""",
            durations=durations,
            rate_60=self._rate_sql(60),
            rate_180=self._rate_sql(180),
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._query(),
            )
        )
