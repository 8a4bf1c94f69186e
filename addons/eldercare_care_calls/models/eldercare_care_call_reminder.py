"""Birthday greeting calls and the reminder call the day before a service."""

import datetime

import pytz
from markupsafe import escape

from odoo import _, api, fields, models

REMINDED_STATES = ("assigned", "accepted")
CALL_BACK_DIGIT = "1"
CHANGE_DIGIT = "2"


class EldercareCareCall(models.Model):
    _inherit = "eldercare.care.call"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------ schedule
    @api.model
    def _eldercare_schedule_reminders(self, date=None):
        """Today's birthday greetings and the reminders of the services
        scheduled tomorrow (local days); each once. Returns the new calls."""
        tz = self.env["eldercare.pbx"]._eldercare_care_tz()
        today = date or datetime.datetime.now(pytz.utc).astimezone(tz).date()
        birthdays = self.env["res.partner"]._eldercare_birthday_partners(today)
        vals_list = [
            {
                "kind": "birthday",
                "dedup_key": f"birthday:{elder.id}:{today}",
                "elder_id": elder.id,
                "company_id": (elder.company_id or self.env.company).id,
            }
            for elder in birthdays
        ]
        tomorrow = today + datetime.timedelta(days=1)

        def utc(day):
            local = tz.localize(datetime.datetime.combine(day, datetime.time()))
            return local.astimezone(pytz.utc).replace(tzinfo=None)

        orders = (
            self.env["eldercare.work.order"]
            .sudo()
            .search(
                [
                    ("state", "in", REMINDED_STATES),
                    ("date_scheduled", ">=", utc(tomorrow)),
                    ("date_scheduled", "<", utc(tomorrow + datetime.timedelta(days=1))),
                ]
            )
        )
        vals_list += [
            {
                "kind": "service_reminder",
                "dedup_key": f"service_reminder:{order.id}",
                "elder_id": order.elder_id.id,
                "work_order_id": order.id,
                "company_id": order.company_id.id,
            }
            for order in orders
        ]
        return self._eldercare_schedule(vals_list) if vals_list else self.browse()

    # ------------------------------------------------------------ birthday
    def _care_prompt_birthday(self):
        prompt = "&".join(
            ["eldercare/birthday-greeting", "{say}", "eldercare/birthday-wish"]
        )
        return prompt, self.elder_id.name or ""

    def _care_answered_birthday(self, digit):
        """The greeting was heard; 1 = please call me back (the worker)."""
        if digit == CALL_BACK_DIGIT:
            elder = self.elder_id
            self._eldercare_followup(
                elder,
                self._eldercare_elder_followup_user(),
                _("%(elder)s asks to be called back", elder=elder.name),
                escape(
                    _(
                        "After the birthday greeting call, %(elder)s pressed 1: "
                        "please call them back.",
                        elder=elder.name,
                    )
                ),
            )
        return True

    # ---------------------------------------------------- service reminder
    def _care_prompt_service_reminder(self):
        order = self.work_order_id.sudo()
        local = pytz.utc.localize(order.date_scheduled).astimezone(
            self.env["eldercare.pbx"]._eldercare_care_tz()
        )
        product = order.product_id.with_context(lang=self._care_say_lang())
        say = f"{product.name}，{local.hour}点{local.minute:02d}分"
        prompt = "&".join(
            ["eldercare/reminder-service", "{say}", "eldercare/reminder-service-ask"]
        )
        return prompt, say

    def _care_due_service_reminder(self):
        order = self.work_order_id.sudo()
        return (
            order.state in REMINDED_STATES
            and order.date_scheduled > fields.Datetime.now()
        )

    def _care_answered_service_reminder(self, digit):
        """The reminder was heard; 2 = the elder cannot be at home then."""
        order = self.work_order_id.sudo()
        if digit == CHANGE_DIGIT and order:
            user = order._eldercare_coordinators().get(order.id)
            self._eldercare_followup(
                order,
                user[:1] if user else user,
                _(
                    "%(elder)s asks to change %(order)s",
                    elder=order.elder_id.name,
                    order=order.name,
                ),
                escape(
                    _(
                        "At the reminder call for tomorrow's %(service)s, "
                        "%(elder)s pressed 2: they cannot be at home then. Agree "
                        "a new time with them and the provider.",
                        service=order.product_id.name,
                        elder=order.elder_id.name,
                    )
                ),
            )
        elif order:
            order.message_post(
                body=_(
                    "Reminder call: %(elder)s was reminded of the visit.",
                    elder=order.elder_id.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True
