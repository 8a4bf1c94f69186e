import logging

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

TEMPLATES = {
    "raised": "eldercare_sms_emergency.sms_template_alert_raised",
    "confirmed": "eldercare_sms_emergency.sms_template_alert_confirmed",
    "resolved": "eldercare_sms_emergency.sms_template_alert_resolved",
    "unanswered": "eldercare_sms_emergency.sms_template_alert_call_unanswered",
}


class EldercareAlert(models.Model):
    _inherit = "eldercare.alert"

    eldercare_sms_count = fields.Integer(
        string="SMS", compute="_compute_eldercare_sms_count", compute_sudo=True
    )

    def _eldercare_sms_domain(self):
        return [
            ("eldercare_res_model", "=", self._name),
            ("eldercare_res_id", "in", self.ids),
        ]

    def _compute_eldercare_sms_count(self):
        counts = dict(
            self.env["sms.sms"]._read_group(
                self._eldercare_sms_domain(), ["eldercare_res_id"], ["__count"]
            )
        )
        for alert in self:
            alert.eldercare_sms_count = counts.get(alert.id, 0)

    # ------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        alerts = super().create(vals_list)
        alerts.filtered("elder_id")._eldercare_sms_safe("raised")
        return alerts

    # ------------------------------------------------------------ actions
    def action_confirm(self):
        res = super().action_confirm()
        self._eldercare_sms_safe("confirmed")
        return res

    def action_resolve(self):
        res = super().action_resolve()
        self._eldercare_sms_safe("resolved")
        return res

    def action_open_sms(self):
        """The SMS of this alert, with their delivery state."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("SMS of %(alert)s", alert=self.name),
            "res_model": "sms.sms",
            "view_mode": "list,form",
            "domain": self._eldercare_sms_domain(),
        }

    # ------------------------------------------------------------ SMS hooks
    def _eldercare_sms_provider_configured(self):
        return bool(self.env["sms.sms"]._eldercare_kannel_config())

    def _eldercare_send_sms(self, relatives):
        """Notify: the "confirmed" SMS (once per relative and alert)."""
        self.ensure_one()
        self._eldercare_sms("confirmed", relatives)
        return self._eldercare_sms_texted(relatives, "confirmed")

    def _eldercare_sms_call_unanswered(self, relative):
        """Cascade fallback: text a relative whose call was not answered.

        Returns the sms.sms queued (empty when that relative already got it or
        has no usable number)."""
        self.ensure_one()
        return self._eldercare_sms("unanswered", relative)

    # ------------------------------------------------------------ helpers
    def _eldercare_sms_relatives(self):
        """Who is texted on an alert: the emergency contacts (all relatives
        when none is marked), in priority order."""
        self.ensure_one()
        relatives = self._eldercare_notify_relatives()
        contacts = relatives.filtered("is_emergency_contact")
        return contacts or relatives

    def _eldercare_sms(self, event, relatives=None):
        """Queue the SMS of ``event`` for each alert (emergency: no quiet
        hours, no opt-out). Returns the sms.sms queued."""
        template = self.env.ref(TEMPLATES[event])
        pairs = []
        for alert in self.filtered("elder_id"):
            recipients = (
                relatives if relatives is not None else alert._eldercare_sms_relatives()
            )
            if recipients:
                pairs.append((alert, recipients))
        return template._eldercare_send_many(pairs, emergency=True)

    def _eldercare_sms_safe(self, event):
        """``_eldercare_sms`` that never blocks the alert itself: an SMS that
        cannot be queued must not stop an alert from being raised, confirmed
        or resolved. The failure is logged as an error and written on each
        alert's chatter for the operator."""
        try:
            with self.env.cr.savepoint():
                return self._eldercare_sms(event)
        except Exception as exc:  # pylint: disable=broad-except
            _logger.exception("SMS %r of alerts %s not queued", event, self.ids)
            for alert in self:
                alert.message_post(
                    body=self.env._(
                        "The SMS to the relatives could not be queued (%(error)s): "
                        "call them.",
                        error=str(exc)[:200],
                    ),
                    subtype_xmlid="mail.mt_note",
                )
            return self.env["sms.sms"]

    def _eldercare_sms_texted(self, relatives, event):
        self.ensure_one()
        sent = (
            self.env["sms.sms"]
            .sudo()
            .search(
                [
                    ("eldercare_res_model", "=", self._name),
                    ("eldercare_res_id", "=", self.id),
                    ("eldercare_template_id", "=", self.env.ref(TEMPLATES[event]).id),
                    ("state", "not in", ("error", "canceled")),
                ]
            )
        )
        return relatives.filtered(lambda r: r in sent.eldercare_relative_id)
