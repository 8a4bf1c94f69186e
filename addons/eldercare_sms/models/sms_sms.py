import logging
import threading

import requests

from odoo import api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

KANNEL_TIMEOUT = 10
# sendsms dlr-mask: 1 delivered to the phone, 2 not delivered, 16 rejected by
# the carrier (8 "accepted by the carrier" is what the sendsms reply says)
KANNEL_DLR_MASK = 1 | 2 | 16
# Kannel delivery report type (%d) -> (sms.sms state, failure type)
KANNEL_DLR_STATES = {
    1: ("sent", False),
    2: ("error", "sms_not_delivered"),
    4: ("pending", False),
    8: ("pending", False),
    16: ("error", "sms_rejected"),
}


class SmsSms(models.Model):
    """Odoo's outgoing SMS, sent through a Kannel gateway instead of IAP.

    The seam is ``_send``: Odoo's queue (``send``/``_process_queue``, the SMS
    queue cron, ``resend_failed``) is kept as it is; only the transport
    changes. IAP is never called.
    """

    _inherit = "sms.sms"

    failure_type = fields.Selection(
        selection_add=[
            ("sms_not_delivered", "Not Delivered"),
            ("sms_rejected", "Rejected"),
            ("sms_expired", "Expired"),
        ]
    )
    eldercare_kannel_accepted_at = fields.Datetime(
        string="Accepted by Kannel",
        readonly=True,
        copy=False,
        help="Set once Kannel accepted the message: it is never sent again.",
    )
    eldercare_kannel_reply = fields.Char(string="Kannel Reply", readonly=True)
    eldercare_delivered_at = fields.Datetime(string="Delivered", readonly=True)
    eldercare_not_before = fields.Datetime(
        string="Not Before",
        readonly=True,
        help="Held in the queue until then (quiet hours of the recipient).",
    )
    eldercare_emergency = fields.Boolean(string="Emergency", readonly=True)
    eldercare_res_model = fields.Char(string="Document Model", readonly=True)
    eldercare_res_id = fields.Many2oneReference(
        string="Document", model_field="eldercare_res_model", readonly=True
    )
    eldercare_template_id = fields.Many2one(
        "sms.template", string="Template", readonly=True, ondelete="set null"
    )
    eldercare_relative_id = fields.Many2one(
        "eldercare.relative", string="Relative", readonly=True, ondelete="set null"
    )

    # ------------------------------------------------------------ configuration
    @api.model
    def _eldercare_kannel_config(self):
        """Kannel's sendsms settings, or None when no gateway is configured."""
        get = self.env["ir.config_parameter"].sudo().get_param
        url = get("eldercare_sms.kannel_url")
        if not url:
            return None
        return {
            "url": url,
            "user": get("eldercare_sms.kannel_user", ""),
            "password": get("eldercare_sms.kannel_password", ""),
            "sender": get("eldercare_sms.kannel_sender", ""),
            "callback": (
                get("eldercare_sms.callback_url") or get("web.base.url") or ""
            ).rstrip("/"),
            "token": get("eldercare_sms.token", ""),
        }

    # ------------------------------------------------------------ sending
    def send(
        self,
        unlink_failed=False,
        unlink_sent=True,
        auto_commit=False,
        raise_exception=False,
    ):
        # a message Kannel accepted is committed at once when the caller
        # commits anyway (the queue cron): a later crash never resends it
        if auto_commit is True and not getattr(
            threading.current_thread(), "testing", False
        ):
            self = self.with_context(eldercare_sms_commit_each=True)
        # held for the quiet hours: not even looked at before their time
        now = fields.Datetime.now()
        self = self.filtered(
            lambda s: not s.eldercare_not_before or s.eldercare_not_before <= now
        )
        return super().send(
            unlink_failed=unlink_failed,
            unlink_sent=unlink_sent,
            auto_commit=auto_commit,
            raise_exception=raise_exception,
        )

    def _send(self, unlink_failed=False, unlink_sent=True, raise_exception=False):
        """Send each SMS through Kannel's HTTP sendsms.

        Exactly once: each row is locked (``FOR UPDATE SKIP LOCKED``) and
        re-checked before the HTTP call, and a message Kannel accepted is
        marked so no later run sends it again. Kannel unreachable: the
        messages stay queued (``outgoing``) for the next run of the queue.
        Sent messages are kept (not deleted) until their delivery report.
        """
        config = self._eldercare_kannel_config()
        if not config:
            _logger.warning(
                "%d SMS stay queued: no Kannel gateway configured "
                "(system parameter eldercare_sms.kannel_url)",
                len(self),
            )
            if raise_exception:
                raise UserError(
                    self.env._(
                        "No SMS gateway is configured: the messages stay in the "
                        "queue. Set the Kannel address in the SMS settings."
                    )
                )
            return
        self.env.flush_all()
        with requests.Session() as session:
            for sms in self.sudo():
                if not sms._eldercare_lock_for_sending():
                    continue
                problem = sms._eldercare_check_number()
                if problem:
                    sms._eldercare_set_error(problem)
                    continue
                try:
                    response = session.get(
                        config["url"],
                        params=sms._eldercare_kannel_params(config),
                        timeout=KANNEL_TIMEOUT,
                    )
                except requests.RequestException as exc:
                    _logger.warning(
                        "Kannel unreachable at %s (%s): SMS %s and the rest of "
                        "the batch stay queued",
                        config["url"],
                        exc,
                        sms.id,
                    )
                    if raise_exception:
                        raise
                    break
                if not sms._eldercare_kannel_result(response):
                    # Kannel up but unable to take messages now: retry later
                    break
                if self.env.context.get("eldercare_sms_commit_each"):
                    self.env.cr.commit()  # pylint: disable=invalid-commit

    def _eldercare_lock_for_sending(self):
        """Lock this row; True when it is still due and was never accepted."""
        self.ensure_one()
        self.env.cr.execute(
            """SELECT eldercare_not_before FROM sms_sms
                WHERE id = %s AND state = 'outgoing' AND to_delete IS NOT TRUE
                  AND eldercare_kannel_accepted_at IS NULL
                  FOR UPDATE SKIP LOCKED""",
            [self.id],
        )
        row = self.env.cr.fetchone()
        self.invalidate_recordset()
        if not row:
            return False
        not_before = row[0]
        return not not_before or not_before <= fields.Datetime.now()

    def _eldercare_check_number(self):
        """A failure type when the number cannot be sent to, else False."""
        if not (self.number or "").strip():
            return "sms_number_missing"
        if not self._eldercare_kannel_number():
            return "sms_number_format"
        return False

    def _eldercare_kannel_number(self):
        return self.env["eldercare.phone"]._normalize_number(self.number)

    def _eldercare_kannel_params(self, config):
        self.ensure_one()
        body = self.body or ""
        params = {
            "username": config["user"],
            "password": config["password"],
            "to": self._eldercare_kannel_number(),
            "text": body,
            "charset": "UTF-8",
            # UCS-2 for anything outside ASCII (Chinese), GSM 7-bit otherwise
            "coding": "2" if any(ord(char) > 127 for char in body) else "0",
            "dlr-mask": str(KANNEL_DLR_MASK),
            "dlr-url": (
                f"{config['callback']}/eldercare_sms/dlr/{config['token']}"
                f"?uuid={self.uuid}&status=%d&smsc_id=%F"
            ),
        }
        if config["sender"]:
            params["from"] = config["sender"]
        return params

    def _eldercare_kannel_result(self, response):
        """Apply Kannel's answer; False when it was temporary (stay queued)."""
        self.ensure_one()
        reply = (response.text or "").strip()[:200]
        if response.status_code in (200, 202) and reply[:2] in ("0:", "3:"):
            self.write(
                {
                    "state": "pending",
                    "failure_type": False,
                    "eldercare_kannel_accepted_at": fields.Datetime.now(),
                    "eldercare_kannel_reply": reply,
                }
            )
            self.sms_tracker_id._action_update_from_sms_state("pending")
            return True
        if response.status_code == 503:
            _logger.warning("Kannel cannot take SMS %s now: %s", self.id, reply)
            return False
        _logger.warning(
            "Kannel refused SMS %s (HTTP %s): %s", self.id, response.status_code, reply
        )
        if response.status_code == 403:
            failure = "sms_acc"
        elif response.status_code == 400 and "number" in reply.lower():
            failure = "sms_number_format"
        else:
            failure = "sms_server"
        self.write({"eldercare_kannel_reply": reply})
        self._eldercare_set_error(failure)
        return True

    def _eldercare_set_error(self, failure_type):
        self.write({"state": "error", "failure_type": failure_type})
        self.sms_tracker_id._action_update_from_sms_state(
            "error", failure_type=failure_type
        )

    # ------------------------------------------------------------ delivery reports
    def _eldercare_apply_dlr(self, status):
        """A Kannel delivery report of type ``status`` (its %d) for these SMS.

        Reports can arrive in any order and twice: a delivered message never
        goes back, an error never overrides a delivery."""
        state, failure_type = KANNEL_DLR_STATES.get(status, (None, None))
        if not state:
            _logger.info(
                "Ignored Kannel delivery report type %s for %s", status, self.ids
            )
            return self.browse()
        if state == "pending":
            todo = self.filtered(lambda s: s.state in ("outgoing", "process"))
            todo.write({"state": "pending"})
        else:
            todo = self.filtered(lambda s: s.state != "sent")
            vals = {"state": state, "failure_type": failure_type}
            if state == "sent":
                vals["eldercare_delivered_at"] = fields.Datetime.now()
            todo.write(vals)
        if todo:
            todo.sms_tracker_id._action_update_from_sms_state(
                state, failure_type=failure_type or False
            )
            todo.mail_message_id._notify_message_notification_update()
        return todo

    # ------------------------------------------------------------ retries
    def _eldercare_clear_acceptance(self):
        """A failed message sent again on purpose is a new attempt."""
        self.filtered(lambda s: s.state in ("error", "canceled")).write(
            {"eldercare_kannel_accepted_at": False, "eldercare_delivered_at": False}
        )

    def action_set_outgoing(self):
        self._eldercare_clear_acceptance()
        return super().action_set_outgoing()

    def resend_failed(self):
        self._eldercare_clear_acceptance()
        return super().resend_failed()
