"""The reminder engine of elders: birthdays and care dates coming up, the
payment reminders, the daily cron that turns them into activities, and the
outbound call tasks the telephony addon places."""

import logging
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models

_logger = logging.getLogger(__name__)


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    # ----------------------------------------------------------- reminders
    @api.model
    def _eldercare_reminder_days(self):
        param = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("eldercare_base.reminder_days_ahead", "3")
        )
        try:
            return max(int(param), 0)
        except ValueError:
            return 3

    @api.model
    def _eldercare_birthday_partners(self, date):
        """Active elders whose birthday falls on ``date`` (29 Feb -> 28 Feb)."""
        days = [(date.month, date.day)]
        if date.month == 2 and date.day == 28:
            try:
                date.replace(day=29)
            except ValueError:  # not a leap year: 29 Feb birthdays today
                days.append((2, 29))
        self.env["res.partner"].flush_model(["birthdate", "is_elder", "active"])
        clauses = " OR ".join(
            "(EXTRACT(MONTH FROM birthdate) = %s AND EXTRACT(DAY FROM birthdate) = %s)"
            for _day in days
        )
        params = [v for pair in days for v in pair]
        self.env.cr.execute(
            f"""
            SELECT id FROM res_partner
             WHERE is_elder AND active AND birthdate IS NOT NULL AND ({clauses})
            """,
            params,
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _eldercare_payment_reminder_partners(self, date=None):
        """Hook: elders to remind of a payment due on ``date``.

        Returns a res.partner recordset. eldercare_billing overrides it.
        """
        return self.browse()

    @api.model
    def _eldercare_reminder_specs(self, date):
        """[(kind, activity type xmlid, partners)] due on ``date``."""
        return [
            (
                "birthday",
                "eldercare_base.mail_activity_type_birthday",
                self._eldercare_birthday_partners(date),
            ),
            (
                "payment",
                "eldercare_base.mail_activity_type_payment_reminder",
                self._eldercare_payment_reminder_partners(date=date),
            ),
        ]

    @api.model
    def _cron_eldercare_care_reminders(self, date=None):
        """Schedule birthday / payment activities for the responsible worker.

        Covers every day from ``date`` (default today) to ``date`` + N days,
        so a missed run catches up. Idempotent: an activity (open or done) of
        the same type, elder and deadline is never created twice.
        """
        today = date or fields.Date.context_today(self)
        ahead = self._eldercare_reminder_days()
        Activity = self.env["mail.activity"].sudo().with_context(active_test=False)
        model_id = self.env["ir.model"]._get_id("res.partner")
        vals_list = []
        for offset in range(ahead + 1):
            day = today + timedelta(days=offset)
            for kind, xmlid, partners in self._eldercare_reminder_specs(day):
                partners = partners.sudo().filtered(lambda p: p.is_elder and p.active)
                if not partners:
                    continue
                activity_type = self.env.ref(xmlid)
                existing = set(
                    Activity.search(
                        [
                            ("res_model", "=", "res.partner"),
                            ("res_id", "in", partners.ids),
                            ("activity_type_id", "=", activity_type.id),
                            ("date_deadline", "=", day),
                        ]
                    ).mapped("res_id")
                )
                for partner in partners:
                    if partner.id in existing:
                        continue
                    if not partner.worker_id:
                        _logger.info(
                            "No community worker for elder %s: %s reminder skipped",
                            partner.id,
                            kind,
                        )
                        continue
                    vals_list.append(
                        {
                            "res_model_id": model_id,
                            "res_id": partner.id,
                            "activity_type_id": activity_type.id,
                            "date_deadline": day,
                            "user_id": partner.worker_id.id,
                            "summary": self._eldercare_reminder_summary(
                                kind, partner, day
                            ),
                        }
                    )
        if vals_list:
            Activity.with_context(mail_activity_quick_update=True).create(vals_list)
        return len(vals_list)

    @api.model
    def _eldercare_reminder_summary(self, kind, partner, day):
        if kind == "birthday":
            return _(
                "Birthday of %(name)s (%(age)s) on %(date)s: call or visit",
                name=partner.name,
                age=relativedelta(day, partner.birthdate).years
                if partner.birthdate
                else "",
                date=fields.Date.to_string(day),
            )
        if kind == "payment":
            return _(
                "Payment reminder for %(name)s on %(date)s",
                name=partner.name,
                date=fields.Date.to_string(day),
            )
        return _("Care reminder for %(name)s", name=partner.name)

    @api.model
    def _eldercare_outbound_call_tasks(self, date=None):
        """Reminder calls to place on ``date`` (for the telephony layer).

        Returns a list of dicts {"type", "elder_id", "elder_name", "phone",
        "date", "worker_id", "message"}; phone is the first certified number
        (E.164), else the normalised mobile / home phone, else False.
        """
        day = fields.Date.to_date(date) if date else fields.Date.context_today(self)
        normalize = self.env["eldercare.phone"]._normalize_number
        tasks = []
        for kind, _xmlid, partners in self._eldercare_reminder_specs(day):
            for partner in partners.sudo().filtered(lambda p: p.is_elder and p.active):
                phones = partner.elder_phone_ids.filtered("active")
                phone = (
                    phones[:1].number_e164
                    or normalize(partner.mobile)
                    or normalize(partner.home_phone)
                    or False
                )
                tasks.append(
                    {
                        "type": kind,
                        "elder_id": partner.id,
                        "elder_name": partner.name,
                        "phone": phone,
                        "date": fields.Date.to_string(day),
                        "worker_id": partner.worker_id.id or False,
                        "message": self._eldercare_reminder_summary(kind, partner, day),
                    }
                )
        return tasks
