"""Daily check-in plans: which elder is called, on which days, in which time
window, at which number, how many times.

Each morning (cron ``eldercare_checkin_cron_plan_day``) the plans of the day
become one ``eldercare.checkin.attempt`` each, their first call spread evenly
over the window (the retries need the end of it). The attempts are placed by
the one dialer when they are due (see ``eldercare_checkin_attempt.py``).
"""

import datetime
import logging
from collections import defaultdict

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .eldercare_checkin_attempt import STATES

_logger = logging.getLogger(__name__)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CREATE_BATCH = 2000


class EldercareCheckinPlan(models.Model):
    _name = "eldercare.checkin.plan"
    _description = "Daily Check-in Plan"
    _order = "window_start, elder_id"
    _rec_name = "elder_id"

    elder_id = fields.Many2one(
        "res.partner",
        required=True,
        index=True,
        ondelete="cascade",
        domain=[("is_elder", "=", True)],
    )
    community_id = fields.Many2one(
        related="elder_id.community_id", store=True, index=True
    )
    worker_id = fields.Many2one(related="elder_id.worker_id")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda s: s.env.company
    )
    mon = fields.Boolean("Monday", default=True)
    tue = fields.Boolean("Tuesday", default=True)
    wed = fields.Boolean("Wednesday", default=True)
    thu = fields.Boolean("Thursday", default=True)
    fri = fields.Boolean("Friday", default=True)
    sat = fields.Boolean("Saturday", default=True)
    sun = fields.Boolean("Sunday", default=True)
    window_start = fields.Float(
        "From", default=9.0, required=True, help="Local time the calls may start."
    )
    window_end = fields.Float(
        "Until", default=11.0, required=True, help="Local time of the last call."
    )
    number = fields.Char(
        "Number to Call",
        help="Empty: the elder's best number on file (mobile, home phone, "
        "registered phone), looked up each morning.",
    )
    retries = fields.Integer(
        default=2, help="Calls placed again after no answer, busy or no key."
    )
    retry_minutes = fields.Integer("Retry After (min)", default=20)
    attempt_ids = fields.One2many("eldercare.checkin.attempt", "plan_id", "Check-ins")
    last_attempt_id = fields.Many2one(
        "eldercare.checkin.attempt", compute="_compute_last_attempt"
    )
    last_state = fields.Selection(
        STATES,
        string="Last Check-in",
        compute="_compute_last_attempt",
    )

    _sql_constraints = [
        (
            "elder_uniq",
            "unique(elder_id, company_id)",
            "An elder has one check-in plan.",
        ),
    ]

    @api.constrains("window_start", "window_end", "retries", "retry_minutes")
    def _check_window(self):
        for plan in self:
            if not 0 <= plan.window_start < plan.window_end <= 24:
                raise ValidationError(
                    _(
                        "Check-in plan of %(elder)s: the time window must start "
                        "before it ends, between 00:00 and 24:00.",
                        elder=plan.elder_id.display_name,
                    )
                )
            if plan.retries < 0 or plan.retries > 10:
                raise ValidationError(
                    _("A check-in is retried between 0 and 10 times.")
                )
            if plan.retry_minutes < 1:
                raise ValidationError(
                    _(
                        "Retry after at least one minute (check-in plan of %s).",
                        plan.elder_id.display_name,
                    )
                )

    def _compute_last_attempt(self):
        Attempt = self.env["eldercare.checkin.attempt"]
        last = {}
        if self.ids:
            for row in Attempt._read_group(
                [("plan_id", "in", self.ids)], ["plan_id"], ["id:max"]
            ):
                last[row[0].id] = row[1]
        for plan in self:
            plan.last_attempt_id = Attempt.browse(last.get(plan.id))
            plan.last_state = plan.last_attempt_id.state

    # ------------------------------------------------------------ planning
    @api.model
    def _cron_plan_today(self):
        """Plan the center's today (its care-call timezone, whoever runs it)."""
        tz = self.env["eldercare.pbx"]._eldercare_care_tz()
        today = datetime.datetime.now(pytz.utc).astimezone(tz).date()
        return self._eldercare_plan_day(today)

    @api.model
    def _eldercare_plan_day(self, day):
        """Turn the plans of ``day`` (a date) into attempts; returns them.

        Idempotent: a plan that has its attempt for the day already gets no
        second one. Batch: one search, one read of the numbers (prefetched),
        creates in batches; no query per plan."""
        day = fields.Date.to_date(day)
        weekday = WEEKDAYS[day.weekday()]
        Attempt = self.env["eldercare.checkin.attempt"].sudo()
        plans = self._eldercare_plans_of_day(
            day, self.sudo().search([(weekday, "=", True)])
        )
        if not plans:
            return Attempt
        self.env.cr.execute(
            "SELECT plan_id FROM eldercare_checkin_attempt WHERE date = %s",
            [day],
        )
        done = {row[0] for row in self.env.cr.fetchall()}
        plans = plans.filtered(lambda p: p.id not in done)
        best = self.env["eldercare.pbx"]._eldercare_best_number
        default_tz = self.env["eldercare.pbx"]._eldercare_care_tz()
        # group by (tz, window) to spread each window's calls evenly
        # in the order the plans were made (a record order through the
        # elder's name would shuffle the day's calls between runs)
        groups = defaultdict(list)
        for plan in plans.sorted("id"):
            tz = plan.elder_id.tz or default_tz.zone
            groups[(tz, plan.window_start, plan.window_end)].append(plan)
        vals_list = []
        no_number = []
        for (tz_name, start, end), members in groups.items():
            try:
                tz = pytz.timezone(tz_name)
            except pytz.UnknownTimeZoneError:
                tz = default_tz
            start_at = _local_to_utc(tz, day, start)
            end_at = _local_to_utc(tz, day, end)
            span = (end_at - start_at).total_seconds()
            for index, plan in enumerate(members):
                number = plan.number or best(plan.elder_id)
                if not number:
                    no_number.append(plan)
                # first calls over the part of the window the retries leave
                room = span - plan.retries * plan.retry_minutes * 60
                if room <= 0:
                    room = span / 2
                offset = room * index / len(members)
                vals_list.append(
                    {
                        "plan_id": plan.id,
                        "elder_id": plan.elder_id.id,
                        "company_id": plan.company_id.id,
                        "date": day,
                        "number": number or False,
                        "max_tries": 1 + plan.retries,
                        "retry_minutes": plan.retry_minutes,
                        "window_start_at": start_at,
                        "window_end_at": end_at,
                        "next_call_at": start_at + datetime.timedelta(seconds=offset),
                        "state": "planned" if number else "missed",
                    }
                )
        created = Attempt.browse()
        for i in range(0, len(vals_list), CREATE_BATCH):
            created |= Attempt.create(vals_list[i : i + CREATE_BATCH])
        if no_number:
            _logger.warning(
                "%d check-in plan(s) for %s have no number to call: missed",
                len(no_number),
                day,
            )
            created.filtered(lambda a: a.state == "missed")._eldercare_missed()
        return created

    @api.model
    def _eldercare_plans_of_day(self, day, plans):
        """Hook: the plans (of the day's weekday) that call on ``day``."""
        return plans

    def action_plan_today(self):
        """Button: plan today's check-ins now (the morning job does it too)."""
        attempts = self._cron_plan_today()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "title": _("Check-ins planned"),
                "message": _("%s check-in call(s) planned for today.", len(attempts)),
                "sticky": False,
            },
        }


def _local_to_utc(tz, day, hours):
    minutes = round(hours * 60)
    naive = datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(
        minutes=minutes
    )
    return tz.localize(naive).astimezone(pytz.utc).replace(tzinfo=None)
