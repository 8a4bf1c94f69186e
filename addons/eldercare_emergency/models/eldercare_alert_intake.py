"""The one intake of alarms raised by calls.

``_raise_from_calls(vals_list)`` is the only way a call raises an alert. It
works in two steps that never share a fate:

1. **the rows**: one insert for the whole batch (one by one only when a
   concurrent request raised one of the same calls), idempotent on the call's
   linkedid (unique constraint + savepoint). Nothing but the row itself is
   written here, so nothing but the database can keep an alarm from being
   recorded;
2. **the decoration**: the popup on the operators' screens and the chatter
   notes. Each runs in its own savepoint after the rows are written; a failure
   is logged, flagged on the alert (``popup_pending`` / ``chatter_pending``)
   and retried by the cron ``_cron_retry_decoration``. It is never rolled back
   into the alert.

Vocabulary of one call (the keys of ``vals_list``): ``linkedid``,
``caller_number``, ``caller_number_e164`` (already normalised by the caller,
computed once otherwise), ``did``, ``channel``, ``received_at`` (datetime or
ISO string), ``type_code``, ``elder_id`` (already looked up), ``is_training``
(a simulated call).
"""

import logging

import psycopg2

from odoo import api, fields, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import mute_logger

from odoo.addons.eldercare_base.tools import utc_datetime

_logger = logging.getLogger(__name__)

# a decoration still failing after this many cron passes is left alone (the
# alert itself is recorded and on the dashboard); the log says so
MAX_DECORATION_ATTEMPTS = 20


class EldercareAlert(models.Model):
    _inherit = "eldercare.alert"  # pylint: disable=consider-merging-classes-inherited

    popup_pending = fields.Boolean(
        copy=False,
        readonly=True,
        index=True,
        help="The alert is recorded but its popup could not be pushed yet: "
        "retried every minute.",
    )
    chatter_pending = fields.Boolean(
        copy=False,
        readonly=True,
        index=True,
        help="The alert is recorded but its chatter notes could not be written "
        "yet: retried every minute.",
    )
    decoration_attempts = fields.Integer(copy=False, readonly=True)
    decoration_error = fields.Char(copy=False, readonly=True)

    # ------------------------------------------------------------------ intake
    @api.model
    def _raise_from_calls(self, vals_list):
        """Raise one alert per call, in order; returns the list of alerts.

        A linkedid that already has an alert (or repeats in the batch) gets
        that alert back. Unknown callers still raise an alert; a bad caller id
        or timestamp never keeps an alarm from being raised."""
        prepared = [self._prepare_call_alert(vals) for vals in vals_list]
        alerts, new = self._create_call_alerts(prepared)
        new._eldercare_decorate_new()
        return alerts

    @api.model
    def _prepare_call_alert(self, vals):
        vals = dict(vals or {})
        raw = vals.get("caller_number")
        caller = str(raw).strip() if raw not in (None, False) else ""
        channel = vals.get("channel") or "emergency_line"
        if channel not in dict(self._fields["channel"].selection):
            channel = "emergency_line"
        alert_type = self.env["eldercare.alert.type"]
        if vals.get("type_code"):
            alert_type = alert_type.sudo().search(
                [("code", "=", vals["type_code"])], limit=1
            )
        if not alert_type and channel in ("emergency_line", "ivr"):
            # every emergency entry is an emergency call unless told otherwise
            alert_type = self.env.ref(
                "eldercare_emergency.alert_type_emergency_call",
                raise_if_not_found=False,
            )
        received_at = utc_datetime(vals.get("received_at"))
        if vals.get("received_at") and not received_at:
            # the alarm is raised all the same, stamped now
            _logger.warning("Unreadable received_at %r", vals.get("received_at"))
        create_vals = {
            "call_linkedid": str(vals.get("linkedid") or "").strip() or False,
            "caller_number": caller or False,
            "did": vals.get("did") or False,
            "channel": channel,
            "received_at": received_at or fields.Datetime.now(),
        }
        if "caller_number_e164" in vals:
            create_vals["caller_number_e164"] = vals["caller_number_e164"] or False
        if alert_type:
            create_vals["type_id"] = alert_type.id
        if vals.get("elder_id"):
            create_vals["elder_id"] = int(vals["elder_id"])
        if vals.get("is_training"):
            create_vals["is_training"] = True
        return create_vals

    @api.model
    def _create_call_alerts(self, prepared):
        """The rows only: returns (alerts in order, the ones created now)."""
        Alert = self.sudo().with_context(
            eldercare_defer_decoration=True,
            # the creation note is written by the decoration step, in the
            # center's language
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
        )
        keys = [vals["call_linkedid"] or index for index, vals in enumerate(prepared)]
        alerts = {}
        linkedids = [key for key in keys if isinstance(key, str)]
        if linkedids:
            for alert in Alert.search([("call_linkedid", "in", linkedids)]):
                alerts.setdefault(alert.call_linkedid, alert)
        new = {}
        for key, vals in zip(keys, prepared, strict=True):
            if key not in alerts:
                new.setdefault(key, vals)
        created = Alert.browse()
        if len(new) > 1:
            try:
                with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                    batch = Alert.create(list(new.values()))
                    alerts.update(zip(new, batch, strict=True))
                    created |= batch
                new = {}
            except psycopg2.IntegrityError:
                # a concurrent request raised one of these calls: one by one
                _logger.info("Alerts of %d calls raised one by one", len(new))
        for key, vals in new.items():
            try:
                with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                    alerts[key] = Alert.create(vals)
                    created |= alerts[key]
            except psycopg2.IntegrityError:
                # a concurrent request raised the alert for the same call
                existing = vals["call_linkedid"] and Alert.search(
                    [("call_linkedid", "=", vals["call_linkedid"])], limit=1
                )
                if not existing:
                    raise
                alerts[key] = existing
        return [alerts[key].with_env(self.env) for key in keys], created.with_env(
            self.env
        )

    # ------------------------------------------------------------------ decoration
    def _eldercare_creation_notes(self):
        """The chatter of freshly raised alerts: how each was raised (in the
        company's language, not the bridge user's) and the unknown-caller note."""
        lang = self.env.company.partner_id.lang or self.env.lang
        alerts = self.with_context(lang=lang)
        channels = dict(self._fields["channel"]._description_selection(alerts.env))
        alerts._message_log_batch(
            bodies={
                alert.id: alerts.env._(
                    "Alert raised by a call from %(number)s (%(channel)s).",
                    number=alert.caller_number or alerts.env._("(hidden)"),
                    channel=channels.get(alert.channel, alert.channel),
                )
                for alert in alerts
            },
        )
        alerts._eldercare_log_unknown_callers()

    def _eldercare_decorate_new(self):
        """Popup then chatter of alerts whose rows are written, each in its own
        savepoint: a failure is flagged for the retry cron, never rolled back
        into the alerts."""
        if not self:
            return
        failed = {}
        for flag, step in (
            ("popup_pending", self._send_popup),
            ("chatter_pending", self._eldercare_creation_notes),
        ):
            error = self._eldercare_try(step)
            if error:
                failed[flag] = True
                failed["decoration_error"] = error
        if failed:
            failed["decoration_attempts"] = 1
            self.sudo().with_context(eldercare_no_deadline_check=True).write(failed)

    def _eldercare_try(self, step):
        """Run one decoration step in a savepoint; the error text or False."""
        try:
            with self.env.cr.savepoint():
                step()
                self.env.flush_all()
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise  # the whole request is retried by Odoo: rows included
        except Exception as exc:
            _logger.error(
                "Alert(s) %s are recorded but %s failed; retried by the cron",
                ", ".join(self.mapped("name")),
                getattr(step, "__name__", step),
                exc_info=True,
            )
            return f"{type(exc).__name__}: {exc}"[:200]
        return False

    @api.model
    def _cron_retry_decoration(self):
        """Retry the popups and chatter notes that failed after their alert was
        recorded. Each alert on its own: one failing never holds the others."""
        alerts = self.sudo().search(
            [
                "|",
                ("popup_pending", "=", True),
                ("chatter_pending", "=", True),
                ("decoration_attempts", "<", MAX_DECORATION_ATTEMPTS),
            ],
            order="id",
            limit=200,
        )
        for alert in alerts:
            vals = {"decoration_attempts": alert.decoration_attempts + 1}
            # a popup of an alert somebody took already would only distract
            if alert.popup_pending and alert.state == "new":
                if not alert._eldercare_try(alert._send_popup):
                    vals["popup_pending"] = False
            elif alert.popup_pending:
                vals["popup_pending"] = False
            if alert.chatter_pending and not alert._eldercare_try(
                alert._eldercare_creation_notes
            ):
                vals["chatter_pending"] = False
            if not (vals.get("popup_pending", alert.popup_pending)) and not (
                vals.get("chatter_pending", alert.chatter_pending)
            ):
                vals["decoration_error"] = False
            elif vals["decoration_attempts"] >= MAX_DECORATION_ATTEMPTS:
                _logger.error(
                    "Alert %s: popup/chatter still failing after %d attempts, "
                    "no more retries (%s)",
                    alert.name,
                    vals["decoration_attempts"],
                    alert.decoration_error,
                )
            alert.with_context(eldercare_no_deadline_check=True).write(vals)
        return True
