from odoo import fields, models


class EldercareWorkOrder(models.Model):
    _inherit = "eldercare.work.order"

    alert_id = fields.Many2one(
        "eldercare.alert",
        index="btree_not_null",
        tracking=True,
        groups="eldercare_base.group_eldercare_operator,"
        "eldercare_base.group_eldercare_worker",
    )

    def write(self, vals):
        res = super().write(vals)
        if vals.get("state") == "in_progress":
            # the responder started working at the elder's home: on site
            alerts = self.sudo().alert_id.filtered(
                lambda a: a.state == "dispatched" and not a.onsite_at
            )
            if alerts:
                alerts.write({"onsite_at": fields.Datetime.now()})
        return res

    def _notify_assignee(self):
        """A community worker sent to an emergency gets an urgent to-do with
        the alert, due today, instead of the ordinary work-order to-do."""
        alert = self.sudo().alert_id
        if not alert or self.provider_id or not self.user_id or self.user_id.share:
            return super()._notify_assignee()
        self.activity_unlink(["eldercare_base.mail_activity_type_work_order"])
        self.activity_schedule(
            "eldercare_emergency.mail_activity_alert_dispatch",
            user_id=self.user_id.id,
            date_deadline=fields.Date.context_today(self),
            summary=self.env._("Emergency: go to %s", self.elder_id.name),
            note=self._eldercare_alert_note(),
        )

    def _eldercare_alert_note(self):
        """What the responder must know: the elder, the alert, the note the
        operator wrote when dispatching."""
        self.ensure_one()
        alert = self.sudo().alert_id
        note = self.env._(
            "Emergency follow-up for %(elder)s (%(alert)s, %(type)s).",
            elder=self.elder_id.name,
            alert=alert.name,
            type=alert.type_id.name,
        )
        return f"{note}\n{self.description}" if self.description else note
