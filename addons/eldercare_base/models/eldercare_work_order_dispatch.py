"""Dispatch of work orders: choosing a provider (ratings, load, area),
assigning, the coordinators' activities and the provider's notification."""

from datetime import timedelta

from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .eldercare_work_order import (
    ACTIVITY_DISPATCH,
    ACTIVITY_TODO,
    AUTO_DISPATCH_ORIGINS,
    BATCH_NOTIFY_LIMIT,
    DEFAULT_DISPATCH_DAYS,
    NEUTRAL_RATING,
    RATING_DAYS,
)


class EldercareWorkOrder(models.Model):
    _inherit = "eldercare.work.order"  # pylint: disable=consider-merging-classes-inherited

    # -------------------------------------------------------------- dispatch
    @api.model
    def _eldercare_provider_stats(self, provider_ids):
        """({provider id: open orders}, {provider id: average satisfaction})
        in two grouped queries."""
        if not provider_ids:
            return {}, {}
        Order = self.sudo()
        loads = {
            provider.id: count
            for provider, count in Order._read_group(
                [
                    ("provider_id", "in", list(provider_ids)),
                    ("state", "in", ("assigned", "accepted", "in_progress")),
                ],
                ["provider_id"],
                ["__count"],
            )
        }
        since = fields.Datetime.now() - timedelta(days=RATING_DAYS)
        totals = {}
        for provider, score, count in Order._read_group(
            [
                ("provider_id", "in", list(provider_ids)),
                ("satisfaction", "!=", False),
                ("date_scheduled", ">=", since),
            ],
            ["provider_id", "satisfaction"],
            ["__count"],
        ):
            total = totals.setdefault(provider.id, [0, 0])
            total[0] += int(score) * count
            total[1] += count
        ratings = {pid: points / count for pid, (points, count) in totals.items()}
        return loads, ratings

    def _eldercare_plan_dispatch(self):
        """Choose a provider for each order, as ``({order id: (provider,
        contract line)}, orders without any eligible provider)``.

        The rule (readme/USAGE.md): among the providers with an active contract
        on the scheduled day covering the service item and the elder's
        community, not refused or late on this order and below the capacity of
        their contract, the order's own provider (a preferred one) is kept if
        eligible; otherwise the lowest contracted price wins, then the best
        average satisfaction (last 365 days, unrated = 3), then the fewest open
        orders, then the oldest provider record. Orders of one batch count in
        the load as they are planned.
        """
        Contract = self.env["eldercare.provider.contract"]
        cache = {}
        candidates = {}
        for order in self:
            candidates[order.id] = Contract._find_eligible_cached(
                cache,
                order.product_id,
                order.community_id,
                order.date_scheduled.date(),
                order.company_id,
            )
        provider_ids = {pid for options in candidates.values() for pid in options}
        loads, ratings = self._eldercare_provider_stats(provider_ids)
        plan = {}
        failed = self.browse()
        for order in self.sorted(lambda o: (o.date_scheduled, o.id)):
            refused = set(order.refused_provider_ids.ids)
            options = [
                (pid, line)
                for pid, line in candidates[order.id].items()
                if pid not in refused
                and not (
                    line.contract_id.max_open_orders
                    and loads.get(pid, 0) >= line.contract_id.max_open_orders
                )
            ]
            if not options:
                failed |= order
                continue
            preferred = order.provider_id.commercial_partner_id.id
            chosen = next((o for o in options if o[0] == preferred), None)
            if not chosen:
                chosen = min(
                    options,
                    key=lambda o: (
                        round(o[1].price_unit, 2),
                        -ratings.get(o[0], NEUTRAL_RATING),
                        loads.get(o[0], 0),
                        o[0],
                    ),
                )
            loads[chosen[0]] = loads.get(chosen[0], 0) + 1
            plan[order.id] = (chosen[1].contract_id.provider_id, chosen[1])
        return plan, failed

    def _eldercare_apply_dispatch(self, plan):
        """Assign the orders of ``plan`` (see _eldercare_plan_dispatch), one
        write per provider and price, then tell the providers."""
        groups = {}
        for order in self:
            provider, line = plan[order.id]
            groups.setdefault((provider.id, line.price_unit), []).append(order.id)
        now = fields.Datetime.now()
        for (provider_id, price), ids in groups.items():
            orders = self.browse(ids)
            vals = {
                "provider_id": provider_id,
                "price_unit": price,
                "state": "assigned",
                "date_assigned": now,
                "late_warned": False,
                "escalated": False,
            }
            orders.write(vals)
            for order in orders:
                if order.staff_id.user_id and not order.user_id:
                    order.user_id = order.staff_id.user_id
        self._eldercare_after_assign()
        return self

    def _eldercare_can_auto_dispatch(self):
        """Orders the center dispatches without an operator: recurring and
        manual ones marked so, not meant for the center's own staff."""
        return self.filtered(
            lambda o: o.state == "draft"
            and o.auto_dispatch
            and o.origin in AUTO_DISPATCH_ORIGINS
            and not (o.user_id and not o.user_id.share)
        )

    @api.model
    def _eldercare_dispatch_days(self):
        param = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("eldercare_base.dispatch_days_ahead", DEFAULT_DISPATCH_DAYS)
        )
        try:
            return max(int(param), 0)
        except ValueError:
            return DEFAULT_DISPATCH_DAYS

    def _eldercare_dispatch_auto(self):
        """Dispatch the automatic drafts due within the dispatch window; the
        coordinator of an order no provider can take is told (once).
        Returns the dispatched orders."""
        now = fields.Datetime.now()
        limit = now + timedelta(days=self._eldercare_dispatch_days())
        # an order of a past day (a service recorded afterwards) is not sent
        since = now - timedelta(days=1)
        todo = self._eldercare_can_auto_dispatch().filtered(
            lambda o: since <= o.date_scheduled <= limit
        )
        if not todo:
            return self.browse()
        todo = todo.sudo()
        plan, failed = todo._eldercare_plan_dispatch()
        dispatched = (todo - failed)._eldercare_apply_dispatch(plan)
        failed._eldercare_notify_no_provider()
        return dispatched.with_env(self.env)

    def _eldercare_coordinators(self):
        """{order id: user to warn}: the coordinator, else the elder's
        community worker, else the company's first supervisor."""
        supervisors = None
        result = {}
        for order in self:
            users = order.coordinator_id or order.elder_id.sudo().worker_id
            if not users:
                if supervisors is None:
                    supervisors = self.env["res.users"]._eldercare_supervisors()
                users = supervisors.filtered(
                    lambda u, company=order.company_id: company in u.company_ids
                ).sorted("id")[:1]
            result[order.id] = users
        return result

    def _eldercare_schedule_for(self, users_by_order, activity, summary, note):
        """One activity of type ``activity`` (xmlid) per order and user of
        ``users_by_order``, due today, created in one batch."""
        activity_type = self.env.ref(activity)
        model_id = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        vals_list = [
            {
                "res_model_id": model_id,
                "res_id": order.id,
                "activity_type_id": activity_type.id,
                "automated": True,
                "user_id": user.id,
                "date_deadline": today,
                "summary": summary(order),
                "note": escape(note(order)),
            }
            for order in self
            for user in users_by_order.get(order.id) or ()
        ]
        if vals_list:
            # a big batch (a cron run) is not mailed activity by activity: the
            # users find them in their activity menu
            self.env["mail.activity"].sudo().with_context(
                mail_activity_quick_update=len(vals_list) > BATCH_NOTIFY_LIMIT
            ).create(vals_list)

    def _eldercare_notify_no_provider(self):
        """Tell the coordinator that nobody can take the order (once while an
        open dispatch to-do exists)."""
        todo_type = self.env.ref(ACTIVITY_DISPATCH, raise_if_not_found=False)
        orders = self.filtered(
            lambda o: todo_type not in o.sudo().activity_ids.activity_type_id
        ).sudo()
        if not orders:
            return
        orders._eldercare_schedule_for(
            orders._eldercare_coordinators(),
            ACTIVITY_DISPATCH,
            lambda o: o.env._("Find a provider for %(order)s", order=o.name),
            lambda o: o._no_provider_message()
            + (
                " "
                + o.env._(
                    "Refused or late: %(providers)s.",
                    providers=", ".join(o.refused_provider_ids.mapped("name")),
                )
                if o.refused_provider_ids
                else ""
            ),
        )

    def _propose_provider(self):
        """(provider, contract line) the dispatch rule chooses for this order.

        (None, None) when no provider is eligible.
        """
        self.ensure_one()
        plan, _failed = self._eldercare_plan_dispatch()
        return plan.get(self.id, (None, None))

    def action_propose_provider(self):
        for order in self.filtered(lambda o: o.state == "draft"):
            provider, line = order._propose_provider()
            if not provider:
                raise UserError(order._no_provider_message())
            order.write({"provider_id": provider.id, "price_unit": line.price_unit})
        return True

    def _no_provider_message(self):
        return _(
            "No provider has an active contract covering “%(item)s” in %(community)s."
            " Check the provider contracts and their service areas.",
            item=self.product_id.display_name,
            community=self.community_id.complete_name
            or _("the elder's community (none set)"),
        )

    def _prepare_assign_vals(self):
        self.ensure_one()
        vals = {
            "state": "assigned",
            "date_assigned": fields.Datetime.now(),
            "late_warned": False,
            "escalated": False,
        }
        if not self.provider_id:
            provider, line = self._propose_provider()
            if not provider:
                raise UserError(self._no_provider_message())
            vals.update(provider_id=provider.id, price_unit=line.price_unit)
        if self.staff_id.user_id and not self.user_id:
            vals["user_id"] = self.staff_id.user_id.id
        return vals

    def action_assign(self):
        self._check_transition("assign")
        for order in self:
            order.write(order._prepare_assign_vals())
            # the contract may have expired since the provider was chosen
            order._check_provider_eligible()
        self._eldercare_after_assign()
        return True

    def _eldercare_after_assign(self):
        """Close the dispatch to-dos, tell the assignee and the provider."""
        self.sudo().activity_unlink([ACTIVITY_DISPATCH])
        for order in self:
            # the SMS addon extends _notify_assignee to text the provider
            order._notify_assignee()
        self.filtered("provider_id")._eldercare_notify_provider_dispatch()

    def action_assign_in_house(self):
        """Assign the order to the center's own staff: its internal assignee
        (``user_id``, e.g. the elder's community worker), no provider and no
        contract involved."""
        self._check_transition("assign")
        for order in self:
            if order.provider_id or not order.user_id or order.user_id.share:
                raise UserError(
                    _(
                        "%(order)s cannot be done in house: it needs an internal "
                        "assignee and no provider.",
                        order=order.name,
                    )
                )
        self.write({"state": "assigned", "date_assigned": fields.Datetime.now()})
        self.sudo().activity_unlink([ACTIVITY_DISPATCH])
        for order in self:
            order._notify_assignee()
        return True

    def _notify_assignee(self):
        self.ensure_one()
        user = self.user_id
        if self.sudo().activity_ids:
            self.activity_unlink([ACTIVITY_TODO])
        if not user:
            return
        if user.share:
            # portal users have no activities: notify them by message
            self.message_subscribe(partner_ids=user.partner_id.ids)
            self.message_post(
                body=_(
                    "Work order %(order)s has been assigned to you.", order=self.name
                ),
                partner_ids=user.partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            return
        self.activity_schedule(
            ACTIVITY_TODO,
            date_deadline=(self.date_deadline or self.date_scheduled).date(),
            summary=_(
                "%(item)s for %(elder)s",
                item=self.product_id.name,
                elder=self.elder_id.name,
            ),
            user_id=user.id,
        )

    # ------------------------------------------------- provider notification
    def _eldercare_provider_recipients(self):
        """Partners to tell about these orders: the provider company itself
        (its e-mail), its portal users and the logins of its staff."""
        provider_group = self.env.ref(
            "eldercare_base.group_eldercare_provider", raise_if_not_found=False
        )
        providers = self.provider_id.commercial_partner_id
        partners = providers
        if providers:
            users = (
                self.env["res.users"]
                .sudo()
                .search(
                    [
                        ("partner_id.commercial_partner_id", "in", providers.ids),
                        ("share", "=", True),
                    ]
                )
            )
            if provider_group:
                users = users.filtered(lambda u: provider_group in u.groups_id)
            staff_users = (
                self.env["eldercare.provider.staff"]
                .sudo()
                .search(
                    [("provider_id", "in", providers.ids), ("user_id", "!=", False)]
                )
                .user_id
            )
            partners |= (users | staff_users | self.staff_id.user_id).partner_id
        return partners

    def _eldercare_provider_portal_url(self):
        """Where the provider handles the order (the portal addon sets it)."""
        self.ensure_one()
        return False

    def _eldercare_dispatch_message(self):
        self.ensure_one()
        when = (
            fields.Datetime.to_string(
                fields.Datetime.context_timestamp(self, self.date_scheduled)
            )[:16]
            if self.date_scheduled
            else _("to be agreed with the elder")
        )
        accept = (
            fields.Datetime.to_string(
                fields.Datetime.context_timestamp(self, self.accept_deadline)
            )[:16]
            if self.accept_deadline
            else "-"
        )
        body = _(
            "New work order %(order)s for %(provider)s: %(service)s, time: "
            "%(when)s, community: %(community)s. Please accept or decline it "
            "before %(accept)s.",
            order=self.name,
            provider=self.provider_id.display_name,
            service=self.product_id.display_name,
            when=when,
            community=self.community_id.name or "-",
            accept=accept,
        )
        url = self._eldercare_provider_portal_url()
        if url:
            return Markup("%s %s") % (
                body,
                Markup('<a href="%s">%s</a>') % (url, url),
            )
        return escape(body)

    def _eldercare_notify_provider_dispatch(self):
        """Tell each provider about its newly assigned orders: one message on
        the order (followers: the provider's users) by e-mail; a provider with
        many orders in one batch gets one summary message instead of one per
        order. (The SMS addon texts them from _notify_assignee.)"""
        for orders in (
            self.sudo().grouped(lambda o: o.provider_id.commercial_partner_id).values()
        ):
            partners = orders._eldercare_provider_recipients()
            assignees = orders.user_id.filtered("share").partner_id
            if len(orders) == 1:
                order = orders
                order.message_subscribe(partner_ids=(partners - order.provider_id).ids)
                order.message_post(
                    body=order._eldercare_dispatch_message(),
                    partner_ids=(partners - assignees).ids,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                )
            else:
                provider = orders.provider_id.commercial_partner_id
                lines = Markup("").join(
                    Markup("<li>%s</li>") % order._eldercare_dispatch_message()
                    for order in orders.sorted("date_scheduled")
                )
                provider.message_notify(
                    partner_ids=partners.ids,
                    subject=_(
                        "%(count)s new work orders for %(provider)s",
                        count=len(orders),
                        provider=provider.name,
                    ),
                    body=Markup("<ul>%s</ul>") % lines,
                )
