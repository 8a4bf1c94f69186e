from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.eldercare_alert import DURATIONS, averaged_figure


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
    answer_seconds = averaged_figure("Answer Time (s)", readonly=True)
    confirm_seconds = averaged_figure("Confirm Time (s)", readonly=True)
    dispatch_seconds = averaged_figure("Dispatch Time (s)", readonly=True)
    onsite_seconds = averaged_figure("On Site Time (s)", readonly=True)
    resolve_seconds = averaged_figure("Resolve Time (s)", readonly=True)
    close_seconds = averaged_figure("Close Time (s)", readonly=True)
    answered_60_rate = averaged_figure(
        "% Answered ≤ 60 s",
        help="Target: 97.5 % of alerts answered within 60 seconds.",
        readonly=True,
    )
    answered_180_rate = averaged_figure(
        "% Answered ≤ 180 s",
        help="Target: 99 % of alerts answered within 180 seconds.",
        readonly=True,
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
