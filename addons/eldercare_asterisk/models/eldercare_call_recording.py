"""Recordings of emergency and service calls (evidence).

Asterisk records every inbound call (MixMonitor, extensions_evidence.conf);
the bridge hands the finished file to Odoo through
``eldercare.pbx.bridge.recordings_done``. A recording is linked to its call
log row and to the alert of the call, playable in the browser by supervisors
only (operators and portal users have no access to this model, nor to its
audio attachment), and purged by a daily cron after the company's retention
period (Telephony settings).
"""

from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models


class EldercareCallRecording(models.Model):
    _name = "eldercare.call.recording"
    _description = "Call Recording"
    _order = "recorded_at desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True)
    linkedid = fields.Char(required=True, index=True, readonly=True)
    call_id = fields.Many2one(
        "eldercare.call",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
        check_company=True,
    )
    alert_id = fields.Many2one(
        "eldercare.alert",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
        check_company=True,
    )
    elder_id = fields.Many2one(related="call_id.elder_id")
    recorded_at = fields.Datetime(required=True, readonly=True, index=True)
    duration = fields.Float(
        string="Duration (s)", digits=(16, 1), readonly=True, aggregator="sum"
    )
    audio = fields.Binary(attachment=True, readonly=True)
    audio_filename = fields.Char(readonly=True)
    player = fields.Html(compute="_compute_player", sanitize=False)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
    )

    _sql_constraints = [
        (
            "name_uniq",
            "unique(name)",
            "This recording was already stored.",
        ),
    ]

    @api.depends("audio_filename")
    def _compute_player(self):
        for recording in self:
            if not recording.id or not recording.audio_filename:
                recording.player = False
                continue
            src = f"/web/content/{self._name}/{recording.id}/audio"
            recording.player = Markup(
                '<audio controls="controls" preload="none" src="%s"></audio>'
            ) % (src,)

    def _eldercare_link_calls(self):
        """Link recordings to their call log row and alert by linkedid (the
        call row may be written after the recording arrived)."""
        todo = self.filtered(lambda r: not r.call_id or not r.alert_id)
        if not todo:
            return
        linkedids = list(set(todo.mapped("linkedid")))
        calls = {
            call.linkedid: call
            for call in self.env["eldercare.call"]
            .sudo()
            .search([("linkedid", "in", linkedids)])
        }
        alerts = {
            alert.call_linkedid: alert
            for alert in self.env["eldercare.alert"]
            .sudo()
            .search([("call_linkedid", "in", linkedids)])
        }
        for recording in todo:
            call = calls.get(recording.linkedid)
            alert = alerts.get(recording.linkedid) or (call and call.alert_id)
            vals = {}
            if call and not recording.call_id:
                vals["call_id"] = call.id
            if alert and not recording.alert_id:
                vals["alert_id"] = alert.id
            if vals:
                recording.write(vals)

    @api.model
    def _cron_purge_recordings(self):
        """Delete the recordings older than their company's retention period
        (with their audio), and link late recordings to their calls."""
        Recording = self.sudo()
        purged = Recording.browse()
        for company in self.env["res.company"].sudo().search([]):
            days = company.eldercare_recording_retention_days
            if days <= 0:
                continue  # kept forever
            limit = fields.Datetime.now() - timedelta(days=days)
            purged |= Recording.search(
                [("company_id", "=", company.id), ("recorded_at", "<", limit)]
            )
        purged.unlink()
        Recording.search(
            ["|", ("call_id", "=", False), ("alert_id", "=", False)], limit=1000
        )._eldercare_link_calls()
        return len(purged)


class EldercareCall(models.Model):
    _inherit = "eldercare.call"  # pylint: disable=consider-merging-classes-inherited

    recording_ids = fields.One2many(
        "eldercare.call.recording",
        "call_id",
        string="Recordings",
        groups="eldercare_base.group_eldercare_supervisor",
    )


class EldercareAlert(models.Model):
    _inherit = "eldercare.alert"  # pylint: disable=consider-merging-classes-inherited

    recording_ids = fields.One2many(
        "eldercare.call.recording",
        "alert_id",
        string="Recordings",
        groups="eldercare_base.group_eldercare_supervisor",
    )
