import datetime
import logging

import pytz

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

DEFAULT_TZ = "Asia/Shanghai"


def _parse_hhmm(value):
    hours, _sep, minutes = (value or "").strip().partition(":")
    return datetime.time(int(hours) % 24, int(minutes or 0) % 60)


class SmsTemplate(models.Model):
    _inherit = "sms.template"

    # ------------------------------------------------------------ quiet hours
    @api.model
    def _eldercare_quiet_hours(self):
        """(start, end, tz) of the quiet hours, or None when there are none.

        System parameter ``eldercare_sms.quiet_hours`` = "21:00-08:00" (local
        time of ``eldercare_sms.timezone``, Asia/Shanghai by default)."""
        get = self.env["ir.config_parameter"].sudo().get_param
        window = (get("eldercare_sms.quiet_hours") or "").strip()
        if not window or "-" not in window:
            return None
        start, _sep, end = window.partition("-")
        try:
            start, end = _parse_hhmm(start), _parse_hhmm(end)
            tz = pytz.timezone(get("eldercare_sms.timezone") or DEFAULT_TZ)
        except (ValueError, pytz.UnknownTimeZoneError):
            _logger.warning("Ignoring malformed SMS quiet hours %r", window)
            return None
        if start == end:
            return None
        return start, end, tz

    @api.model
    def _eldercare_quiet_until(self, now=None):
        """End of the quiet hours (naive UTC) when ``now`` is inside, else False."""
        quiet = self._eldercare_quiet_hours()
        if not quiet:
            return False
        start, end, tz = quiet
        now = now or fields.Datetime.now()
        local = pytz.utc.localize(now).astimezone(tz)
        clock = local.time()
        if start < end:
            inside = start <= clock < end
        else:  # over midnight
            inside = clock >= start or clock < end
        if not inside:
            return False
        day = local.date()
        if clock >= end:
            day += datetime.timedelta(days=1)
        until = tz.localize(datetime.datetime.combine(day, end))
        return until.astimezone(pytz.utc).replace(tzinfo=None)

    # ------------------------------------------------------------ sending
    def _eldercare_send(self, record, recipients, emergency=False):
        """Queue this template, rendered on ``record``, for each recipient.

        ``recipients``: res.partner, eldercare.relative and/or
        eldercare.provider.staff records (or a list of them). Each gets the
        text in its own language; a recipient without a usable number is
        skipped, an opted-out one too, and outside emergencies the message
        waits for the end of the quiet hours. The same template is sent once
        per number and document (a second call queues nothing). Without a
        configured gateway nothing is queued. Returns the sms.sms queued; the
        SMS queue cron is woken to send them at once.
        """
        record.ensure_one()
        return self._eldercare_send_many([(record, recipients)], emergency=emergency)

    def _eldercare_send_many(self, pairs, emergency=False):
        """``_eldercare_send`` for many documents of one model at once:
        ``pairs`` = [(record, recipients), ...]; one search, one rendering per
        language and one create for the whole batch."""
        self.ensure_one()
        sms_model = self.env["sms.sms"].sudo()
        if not pairs or not sms_model._eldercare_kannel_config():
            return self.env["sms.sms"]  # no gateway: nothing is pretended
        model = pairs[0][0]._name
        todo = []  # (record, info)
        for record, recipients in pairs:
            if not isinstance(recipients, list | tuple):
                recipients = [recipients]
            for group in recipients:
                for info in group._eldercare_sms_recipients():
                    if info["number"] and (emergency or not info["opt_out"]):
                        todo.append((record, info))
        if not todo:
            return self.env["sms.sms"]
        res_ids = list({record.id for record, _info in todo})
        already = {
            (sms.eldercare_res_id, sms.number)
            for sms in sms_model.search(
                [
                    ("eldercare_template_id", "=", self.id),
                    ("eldercare_res_model", "=", model),
                    ("eldercare_res_id", "in", res_ids),
                    ("state", "not in", ("error", "canceled")),
                ]
            )
        }
        wanted = {}  # lang -> record ids
        queued = []
        for record, info in todo:
            key = (record.id, info["number"])
            if key in already:
                continue
            already.add(key)
            lang = info["lang"] or self.env.lang or "en_US"
            wanted.setdefault(lang, set()).add(record.id)
            queued.append((record, info, lang))
        bodies = {
            lang: self.sudo()._render_field("body", sorted(ids), set_lang=lang)
            for lang, ids in wanted.items()
        }
        not_before = False if emergency else self._eldercare_quiet_until()
        messages = sms_model.create(
            [
                {
                    "number": info["number"],
                    "partner_id": info["partner_id"],
                    "eldercare_relative_id": info["relative_id"],
                    "body": bodies[lang][record.id],
                    "eldercare_emergency": emergency,
                    "eldercare_not_before": not_before,
                    "eldercare_res_model": model,
                    "eldercare_res_id": record.id,
                    "eldercare_template_id": self.id,
                }
                for record, info, lang in queued
            ]
        )
        if messages:
            self.env.ref("sms.ir_cron_sms_scheduler_action").sudo()._trigger(
                not_before or None
            )
        return messages
