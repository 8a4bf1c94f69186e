from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models, modules

from .statement import UNPAID_STATES


class EldercareStatement(models.Model):
    """Getting the statement to people and getting it paid: portal, email with
    the printed statement, SMS notice, payment reminders."""

    _inherit = "eldercare.statement"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Delivery: portal, email with the printed statement, SMS notice
    # ------------------------------------------------------------------
    def _trigger_delivery(self):
        cron = self.env.ref(
            "eldercare_billing.ir_cron_deliver_statements", raise_if_not_found=False
        )
        if cron:
            cron.sudo()._trigger()

    @api.model
    def _cron_deliver_statements(self, limit=200):
        """Deliver invoiced statements in batches (email + SMS), committing after
        each batch; the rendering of the printed statements is why this runs
        apart from the month end."""
        domain = [("delivery_state", "=", "pending"), ("state", "=", "invoiced")]
        while True:
            statements = self.search(domain, limit=limit, order="id")
            if not statements:
                return True
            statements._deliver()
            remaining = self.search_count(domain)
            self.env["ir.cron"]._notify_progress(
                done=len(statements), remaining=remaining
            )
            if not (self.env.registry.in_test_mode() or modules.module.current_test):
                self.env.cr.commit()  # pylint: disable=invalid-commit

    def _eldercare_statement_recipients(self):
        """Partners who receive the statement by email: the elder, and (hook for
        the relatives' portal) whoever the center links to the elder."""
        self.ensure_one()
        return self.partner_id.filtered("email")

    def _eldercare_sms_numbers(self):
        """Numbers told by SMS that the statement is ready: the elder's first
        certified mobile (else their mobile) and the emergency-contact relatives."""
        self.ensure_one()
        elder = self.partner_id
        normalize = self.env["eldercare.phone"]._normalize_number
        numbers = []
        mobiles = elder.elder_phone_ids.filtered(
            lambda p: p.active and p.phone_type == "mobile"
        )
        first = mobiles[:1].number_e164 or normalize(elder.mobile)
        if first:
            numbers.append(first)
        for relative in elder.relative_ids.filtered("is_emergency_contact"):
            if relative.phone_e164 and relative.phone_e164 not in numbers:
                numbers.append(relative.phone_e164)
        return numbers

    def _eldercare_send_sms(self, numbers, body):
        """Hook for the SMS gateway: send ``body`` to ``numbers`` (E.164) about
        this statement; return the numbers actually handed to the gateway.

        Without a gateway nothing is sent and nothing is pretended."""
        return []

    def _eldercare_send_statement_notice(self, numbers, body):
        """The "statement ready" SMS; returns the numbers texted.  An SMS addon
        that already texts it when the statement is invoiced returns those
        numbers instead of texting again."""
        return self._eldercare_send_sms(numbers, body)

    def _eldercare_printed_statement(self):
        """(file name, content) of the printed statement: a PDF when the
        report engine renders one, else the HTML version, named as such."""
        self.ensure_one()
        return self.env["ir.actions.report"]._eldercare_printed(
            "eldercare_billing.action_report_statement",
            self.ids,
            self._get_report_base_filename(),
        )

    def _deliver(self):
        """Publish, email and text each statement; write down what was done."""
        now = fields.Datetime.now()
        for statement in self:
            statement = statement.with_context(lang=statement.partner_id.lang)
            statement._portal_ensure_token()
            notes = []
            recipients = statement._eldercare_statement_recipients()
            url = statement.get_base_url() + statement.get_portal_url()
            if recipients:
                filename, content = statement._eldercare_printed_statement()
                statement.message_post(
                    body=Markup("<p>%s</p><p><a href='%s'>%s</a></p>")
                    % (
                        statement.env._(
                            "Your eldercare statement for %(period)s: total "
                            "%(total).2f, subsidies %(subsidy).2f, to pay "
                            "%(elder).2f.",
                            period=statement.period,
                            total=statement.amount_total,
                            subsidy=statement.amount_subsidy,
                            elder=statement.amount_elder,
                        ),
                        url,
                        statement.env._("View it online"),
                    ),
                    subject=statement.env._(
                        "Eldercare statement %(period)s", period=statement.period
                    ),
                    partner_ids=recipients.ids,
                    attachments=[(filename, content)],
                    subtype_xmlid="mail.mt_comment",
                    message_type="comment",
                )
                notes.append(
                    statement.env._(
                        "Emailed to %(names)s (%(file)s).",
                        names=", ".join(recipients.mapped("name")),
                        file=filename,
                    )
                )
            numbers = statement._eldercare_sms_numbers()
            texted = []
            if numbers:
                texted = statement._eldercare_send_statement_notice(
                    numbers,
                    statement.env._(
                        "Eldercare statement %(period)s for %(elder)s: to pay "
                        "%(amount).2f. %(url)s",
                        period=statement.period,
                        elder=statement.partner_id.name,
                        amount=statement.amount_elder,
                        url=url,
                    ),
                )
            if texted:
                notes.append(
                    statement.env._(
                        "SMS sent to %(numbers)s.", numbers=", ".join(texted)
                    )
                )
            elif numbers:
                notes.append(
                    statement.env._("No SMS sent (no SMS gateway configured).")
                )
            statement.write(
                {
                    "delivery_state": "done" if recipients or texted else "no_channel",
                    "delivery_date": now,
                    "delivery_note": "\n".join(notes)
                    or statement.env._("Portal only: no email address, no SMS."),
                }
            )
        return True

    # ------------------------------------------------------------------
    # Payment reminders (base asks ``res.partner._eldercare_payment_reminder_
    # partners``; billing decides who and gives each reminder once)
    # ------------------------------------------------------------------
    @api.model
    def _payment_reminder_grace_days(self):
        param = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("eldercare_billing.payment_reminder_grace_days", "0")
        )
        try:
            return max(int(param), 0)
        except ValueError:
            return 0

    @api.model
    def _give_payment_reminders(self, date=None):
        """Remind every elder whose statement is unpaid past its due date (plus
        the grace days), once per statement: by SMS when the elder prefers it
        and a gateway sends it, else by a call (the dialer reads the call tasks
        of ``res.partner._eldercare_outbound_call_tasks``).  Returns the
        statements reminded now."""
        today = date or fields.Date.context_today(self)
        limit = today - timedelta(days=self._payment_reminder_grace_days())
        statements = self.sudo().search(
            [
                ("state", "=", "invoiced"),
                ("payment_state", "in", UNPAID_STATES),
                ("payment_reminder_date", "=", False),
                ("invoice_id.invoice_date_due", "<", limit),
            ]
        )
        by_channel = {"sms": self.browse(), "call": self.browse()}
        for statement in statements:
            channel = "call"
            if statement.partner_id.eldercare_reminder_channel == "sms":
                numbers = statement._eldercare_sms_numbers()[:1]
                if numbers and statement._eldercare_send_sms(
                    numbers,
                    self.env._(
                        "Reminder: the eldercare statement %(period)s of "
                        "%(elder)s is due, %(amount).2f still to pay.",
                        period=statement.period,
                        elder=statement.partner_id.name,
                        amount=statement.amount_residual,
                    ),
                ):
                    channel = "sms"
            by_channel[channel] |= statement
        for channel, group in by_channel.items():
            group.write(
                {"payment_reminder_date": today, "payment_reminder_channel": channel}
            )
        if by_channel["call"]:
            by_channel["call"]._eldercare_request_reminder_calls()
        return statements

    def _eldercare_request_reminder_calls(self):
        """Hook for the dialer: place the payment reminder calls of these
        statements now; return the statements whose call was queued.

        By default nothing is dialled from here: the calls are listed by
        ``res.partner._eldercare_outbound_call_tasks(date)`` (type "payment")
        and the community worker gets a Payment Reminder activity."""
        return self.browse()

    @api.model
    def _payment_reminder_partners(self, date):
        """Elders whose payment reminder call is due on ``date``."""
        statements = self.sudo().search_fetch(
            [
                ("payment_reminder_date", "=", date),
                ("payment_reminder_channel", "=", "call"),
                ("payment_state", "in", UNPAID_STATES),
            ],
            ["partner_id"],
        )
        return statements.partner_id
