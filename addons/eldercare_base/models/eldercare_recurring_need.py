import logging
from datetime import datetime, time, timedelta

import pytz
from dateutil import rrule as rr

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_round

from ..tools import count_into

_logger = logging.getLogger(__name__)

WEEKDAYS = [
    ("mon", rr.MO, "MO"),
    ("tue", rr.TU, "TU"),
    ("wed", rr.WE, "WE"),
    ("thu", rr.TH, "TH"),
    ("fri", rr.FR, "FR"),
    ("sat", rr.SA, "SA"),
    ("sun", rr.SU, "SU"),
]
FREQS = {"daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY"}
# changing one of these re-plans the future undone work orders
RECURRENCE_FIELDS = {
    "freq",
    "interval",
    "month_day",
    "time_of_day",
    "tz",
    "date_start",
    "date_end",
    "product_id",
    "provider_id",
    "quantity",
    "elder_id",
    "active",
} | {code for code, _rr, _by in WEEKDAYS}
REGENERABLE_STATES = ("draft", "assigned")
CHUNK_SIZE = 2000
DEFAULT_TZ = "Asia/Shanghai"


def _tz_selection(self):
    return [(tz, tz) for tz in pytz.common_timezones]


class EldercareRecurringNeed(models.Model):
    """Recurring service need (周期性服务需求) of an elder."""

    _name = "eldercare.recurring.need"
    _description = "Recurring Service Need"
    _inherit = ["mail.thread"]
    _order = "elder_id, id"
    _check_company_auto = True

    elder_id = fields.Many2one(
        "res.partner",
        required=True,
        index=True,
        tracking=True,
        domain=[("is_elder", "=", True)],
        ondelete="cascade",
    )
    community_id = fields.Many2one(
        related="elder_id.community_id", store=True, index=True, string="Community"
    )
    product_id = fields.Many2one(
        "product.product",
        string="Service Item",
        required=True,
        tracking=True,
        domain=[("is_eldercare_service", "=", True)],
        ondelete="restrict",
    )
    provider_id = fields.Many2one(
        "res.partner",
        string="Preferred Provider",
        tracking=True,
        domain=[("is_eldercare_provider", "=", True)],
        help="Generated work orders are pre-filled with this provider when it "
        "has an active contract for the item and community on that date.",
    )
    quantity = fields.Float(default=1.0, required=True)
    coordinator_id = fields.Many2one(
        "res.users",
        tracking=True,
        domain=[("share", "=", False)],
        default=lambda self: self.env["eldercare.work.order"]._default_coordinator(),
        help="Follows the generated work orders (slow providers, verification). "
        "Empty: the elder's community worker.",
    )
    freq = fields.Selection(
        [("daily", "Days"), ("weekly", "Weeks"), ("monthly", "Months")],
        string="Repeat Every",
        required=True,
        default="weekly",
        tracking=True,
    )
    interval = fields.Integer(default=1, required=True, tracking=True)
    mon = fields.Boolean()
    tue = fields.Boolean()
    wed = fields.Boolean()
    thu = fields.Boolean()
    fri = fields.Boolean()
    sat = fields.Boolean()
    sun = fields.Boolean()
    month_day = fields.Integer(
        string="Day of Month",
        default=1,
        help="Monthly needs: day of the month (1-31); months without this day "
        "(e.g. the 31st in April) are skipped.",
    )
    time_of_day = fields.Float(
        string="Time", default=9.0, help="Local time of the visit (hours)."
    )
    tz = fields.Selection(
        _tz_selection, string="Timezone", default=DEFAULT_TZ, required=True
    )
    rrule = fields.Char(
        string="Recurrence Rule",
        compute="_compute_rrule",
        store=True,
        help="iCalendar RRULE computed from the fields above.",
    )
    recurrence_description = fields.Char(
        string="Recurrence", compute="_compute_recurrence_description"
    )
    date_start = fields.Date(
        string="Start Date",
        required=True,
        default=fields.Date.context_today,
        tracking=True,
    )
    date_end = fields.Date(string="End Date", tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    note = fields.Text(string="Instructions")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    work_order_ids = fields.One2many(
        "eldercare.work.order", "need_id", string="Work Orders"
    )
    work_order_count = fields.Integer(compute="_compute_work_order_count")

    _sql_constraints = [
        (
            "interval_positive",
            "CHECK(interval > 0)",
            "The interval must be at least 1.",
        ),
        (
            "month_day_range",
            "CHECK(month_day >= 1 AND month_day <= 31)",
            "The day of the month must be between 1 and 31.",
        ),
        (
            "time_range",
            "CHECK(time_of_day >= 0 AND time_of_day < 24)",
            "The time must be between 00:00 and 23:59.",
        ),
    ]

    # ---------------------------------------------------------------- computes
    @api.depends(
        "freq", "interval", "month_day", *[code for code, _rr, _by in WEEKDAYS]
    )
    def _compute_rrule(self):
        for need in self:
            parts = [
                f"FREQ={FREQS[need.freq or 'weekly']}",
                f"INTERVAL={need.interval or 1}",
            ]
            if need.freq == "weekly":
                days = [by for code, _rr, by in WEEKDAYS if need[code]]
                if days:
                    parts.append("BYDAY=" + ",".join(days))
            elif need.freq == "monthly":
                parts.append(f"BYMONTHDAY={need.month_day or 1}")
            need.rrule = ";".join(parts)

    @api.depends(
        "freq",
        "interval",
        "month_day",
        "time_of_day",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
    )
    def _compute_recurrence_description(self):
        day_labels = {
            code: self._fields[code].get_description(self.env)["string"]
            for code, _rr, _by in WEEKDAYS
        }
        for need in self:
            hours = float_round(need.time_of_day or 0.0, 4)
            at = f"{int(hours):02d}:{round((hours % 1) * 60):02d}"
            if need.freq == "daily":
                text = _("Every %(n)s day(s) at %(at)s", n=need.interval, at=at)
            elif need.freq == "weekly":
                days = ", ".join(
                    day_labels[code] for code, _rr, _by in WEEKDAYS if need[code]
                ) or _("start weekday")
                text = _(
                    "Every %(n)s week(s) on %(days)s at %(at)s",
                    n=need.interval,
                    days=days,
                    at=at,
                )
            else:
                text = _(
                    "Every %(n)s month(s) on day %(day)s at %(at)s",
                    n=need.interval,
                    day=need.month_day,
                    at=at,
                )
            need.recurrence_description = text

    def _compute_work_order_count(self):
        count_into(self, "work_order_count", "eldercare.work.order", "need_id")

    def _compute_display_name(self):
        for need in self:
            need.display_name = (
                f"{need.elder_id.name or ''} - {need.product_id.name or ''}"
                f" ({need.recurrence_description})"
            )

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for need in self:
            if need.date_end and need.date_end < need.date_start:
                raise ValidationError(
                    _(
                        "The recurring need %(need)s ends before it starts.",
                        need=need.display_name,
                    )
                )

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        needs = super().create(vals_list)
        if not self.env.context.get("eldercare_no_generate"):
            needs._generate_work_orders()
        return needs

    def write(self, vals):
        res = super().write(vals)
        if RECURRENCE_FIELDS & set(vals) and not self.env.context.get(
            "eldercare_no_generate"
        ):
            self._regenerate_work_orders()
        return res

    # ------------------------------------------------------------ generation
    @api.model
    def _horizon_days(self):
        param = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("eldercare_base.recurring_horizon_days", "14")
        )
        try:
            return max(int(param), 0)
        except ValueError:
            return 14

    def _occurrences(self, date_from, date_to):
        """UTC naive datetimes of the need in [date_from, date_to] (UTC naive)."""
        self.ensure_one()
        tz = pytz.timezone(self.tz or DEFAULT_TZ)
        hours = float_round(self.time_of_day or 0.0, 4)
        minutes = round(hours * 60)
        local_time = time(minutes // 60 % 24, minutes % 60)
        dtstart = datetime.combine(self.date_start, local_time)
        local_from = pytz.utc.localize(date_from).astimezone(tz).replace(tzinfo=None)
        local_to = pytz.utc.localize(date_to).astimezone(tz).replace(tzinfo=None)
        if self.date_end:
            local_to = min(local_to, datetime.combine(self.date_end, time.max))
        if local_to < local_from:
            return []
        if self.freq == "weekly" and (self.interval or 1) > 1:
            # count the weeks from the first matching day, not from the week
            # of the start date (dateutil would skip a whole period otherwise)
            weekly = self.rrule.replace(f"INTERVAL={self.interval}", "INTERVAL=1")
            dtstart = rr.rrulestr(weekly, dtstart=dtstart).after(dtstart, inc=True)
        rule = rr.rrulestr(self.rrule or "FREQ=WEEKLY", dtstart=dtstart)
        return [
            tz.localize(dt).astimezone(pytz.utc).replace(tzinfo=None)
            for dt in rule.between(local_from, local_to, inc=True)
        ]

    def _prepare_work_order_vals(self, date_scheduled, provider_line):
        self.ensure_one()
        vals = {
            "elder_id": self.elder_id.id,
            "product_id": self.product_id.id,
            "need_id": self.id,
            "origin": "recurring",
            "date_scheduled": date_scheduled,
            "quantity": self.quantity,
            "company_id": self.company_id.id,
            "description": self.note or False,
            "coordinator_id": (
                self.coordinator_id or self.elder_id.sudo().worker_id
            ).id,
        }
        if provider_line:
            vals.update(
                provider_id=self.provider_id.id, price_unit=provider_line.price_unit
            )
        else:
            vals["price_unit"] = self.product_id.lst_price
        return vals

    def _generate_work_orders(self, date_from=None, date_to=None):
        """Create the missing work orders of the coming horizon, idempotently.

        One query for the existing orders, one create() for the chunk; an
        occurrence that already has an order (whatever its state, including
        cancelled) is skipped.
        """
        date_from = date_from or fields.Datetime.now().replace(microsecond=0)
        date_to = date_to or date_from + timedelta(days=self._horizon_days())
        needs = self.filtered(lambda n: n.active and n.elder_id.active)
        if not needs:
            return self.env["eldercare.work.order"]
        WorkOrder = self.env["eldercare.work.order"]
        WorkOrder.flush_model(["need_id", "date_scheduled"])
        self.env.cr.execute(
            """
            SELECT need_id, date_scheduled FROM eldercare_work_order
             WHERE need_id = ANY(%s) AND date_scheduled >= %s AND date_scheduled <= %s
            """,
            (needs.ids, date_from, date_to),
        )
        existing = set(self.env.cr.fetchall())
        Contract = self.env["eldercare.provider.contract"]
        eligible_cache = {}
        vals_list = []
        for need in needs:
            for date_scheduled in need._occurrences(date_from, date_to):
                if (need.id, date_scheduled) in existing:
                    continue
                line = None
                if need.provider_id:
                    line = Contract._find_eligible_cached(
                        eligible_cache,
                        need.product_id,
                        need.community_id,
                        date_scheduled.date(),
                        need.company_id,
                    ).get(need.provider_id.id)
                vals_list.append(need._prepare_work_order_vals(date_scheduled, line))
        if not vals_list:
            return WorkOrder
        # defaults once for the batch instead of a default_get() per record
        defaults = WorkOrder.default_get(
            [
                name
                for name, field in WorkOrder._fields.items()
                if field.store
                and not field.compute
                and not field.related
                and name not in vals_list[0]
            ]
        )
        for vals in vals_list:
            for key, value in defaults.items():
                vals.setdefault(key, value)
        orders = WorkOrder.with_context(
            tracking_disable=True, mail_create_nolog=True, mail_notrack=True
        ).create(vals_list)
        # the orders due soon go to their providers at once (the others when
        # the dispatch cron sees them come into the window); the generation
        # cron leaves them to the dispatch cron, which it triggers
        if not self.env.context.get("eldercare_no_dispatch"):
            orders.with_context(
                tracking_disable=True, mail_notrack=True
            )._eldercare_dispatch_auto()
        return orders

    def _regenerate_work_orders(self):
        """Replace the future undone (draft/assigned) orders after an edit."""
        now = fields.Datetime.now()
        future = self.env["eldercare.work.order"].search(
            [
                ("need_id", "in", self.ids),
                ("state", "in", REGENERABLE_STATES),
                ("date_scheduled", ">=", now),
            ]
        )
        future.with_context(eldercare_regenerate=True).sudo().unlink()
        return self._generate_work_orders()

    @api.model
    def _cron_generate_work_orders(self):
        """Generate the work orders of the coming horizon for all active needs."""
        now = fields.Datetime.now().replace(microsecond=0)
        horizon_end = now + timedelta(days=self._horizon_days())
        needs = self.search(
            [
                ("date_start", "<=", horizon_end.date()),
                "|",
                ("date_end", "=", False),
                ("date_end", ">=", now.date() - timedelta(days=1)),
            ]
        )
        in_cron = bool(self.env.context.get("ir_cron_progress_id"))
        created = 0
        for start in range(0, len(needs), CHUNK_SIZE):
            chunk = needs[start : start + CHUNK_SIZE]
            created += len(
                chunk.with_context(eldercare_no_dispatch=True)._generate_work_orders(
                    now, horizon_end
                )
            )
            if in_cron:
                self.env["ir.cron"]._notify_progress(
                    done=start + len(chunk), remaining=len(needs) - start - len(chunk)
                )
                self.env.cr.commit()  # pylint: disable=invalid-commit
            self.env.invalidate_all()
        _logger.info(
            "Recurring needs: %s work orders created for %s needs", created, len(needs)
        )
        dispatch_cron = self.env.ref(
            "eldercare_base.ir_cron_work_order_dispatch", raise_if_not_found=False
        )
        if created and dispatch_cron:
            dispatch_cron._trigger()
        return created

    def action_generate_now(self):
        self._generate_work_orders()
        return self.action_view_work_orders()

    def action_view_work_orders(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "eldercare_base.eldercare_work_order_action"
        )
        action["domain"] = [("need_id", "in", self.ids)]
        return action
