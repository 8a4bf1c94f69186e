"""The work-order cron: automatic dispatch, slow-provider warnings, late
orders taken back and escalated to supervisors."""

from datetime import timedelta

from odoo import _, api, fields, models

from .eldercare_work_order import (
    ACTIVITY_ESCALATION,
    ACTIVITY_LATE,
    AUTO_DISPATCH_ORIGINS,
    OPEN_STATES,
)


class EldercareWorkOrder(models.Model):
    _inherit = "eldercare.work.order"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ cron
    @api.model
    def _cron_dispatch_and_deadlines(self):
        """Dispatch the automatic drafts coming into the window, warn the
        coordinators of slow providers, re-dispatch what was not accepted in
        time, escalate what is late to start or overdue. Idempotent."""
        now = fields.Datetime.now()
        window = now + timedelta(days=self._eldercare_dispatch_days())
        drafts = self.search(
            [
                ("state", "=", "draft"),
                ("auto_dispatch", "=", True),
                ("origin", "in", AUTO_DISPATCH_ORIGINS),
                ("date_scheduled", "<=", window),
                ("date_scheduled", ">=", now - timedelta(days=1)),
            ]
        )
        dispatched = drafts._eldercare_dispatch_auto()
        assigned = self.search(
            [("state", "=", "assigned"), ("accept_deadline", "<=", now)]
        )
        accepted = self.search(
            [("state", "=", "accepted"), ("start_deadline", "<=", now)]
        )
        overdue = self.search(
            [
                ("state", "in", OPEN_STATES),
                ("date_deadline", "<=", now),
                ("escalated", "=", False),
            ]
        )
        late_accept = assigned.filtered(
            lambda o: o.date_assigned
            and now >= o.accept_deadline + (o.accept_deadline - o.date_assigned)
        )
        late_start = accepted.filtered(
            lambda o: now >= o.start_deadline + (o.start_deadline - o.date_scheduled)
        )
        (assigned | accepted).filtered(
            lambda o: not o.late_warned
        )._eldercare_warn_slow()
        late_accept._eldercare_take_back_late()
        (late_start | overdue).filtered(lambda o: not o.escalated)._eldercare_escalate()
        return {
            "dispatched": len(dispatched),
            "warned": len((assigned | accepted).filtered("late_warned")),
            "redispatched": len(late_accept),
            "escalated": len((late_start | overdue).filtered("escalated")),
        }

    def _eldercare_warn_slow(self):
        orders = self.sudo()
        if not orders:
            return

        def note(order):
            accepting = order.state == "assigned"
            due = fields.Datetime.to_string(
                fields.Datetime.context_timestamp(
                    order, order.accept_deadline if accepting else order.start_deadline
                )
            )[:16]
            if accepting:
                return order.env._(
                    "%(provider)s has not accepted %(order)s yet (due %(due)s).",
                    provider=order.provider_id.name,
                    order=order.name,
                    due=due,
                )
            return order.env._(
                "%(provider)s has not started %(order)s yet (due %(due)s).",
                provider=order.provider_id.name,
                order=order.name,
                due=due,
            )

        orders._eldercare_schedule_for(
            orders._eldercare_coordinators(),
            ACTIVITY_LATE,
            lambda o: o.env._("Provider slow: %(order)s", order=o.name),
            note,
        )
        orders.write({"late_warned": True})

    def _eldercare_take_back_late(self):
        """Not accepted after twice the time to accept: the provider is
        counted as late, the order goes to the next one; the supervisors are
        told when nobody is left."""
        orders = self.sudo()
        for order in orders:
            order.message_post(
                body=_(
                    "%(provider)s did not accept in time: the order is taken back.",
                    provider=order.provider_id.name,
                ),
                partner_ids=order._eldercare_provider_recipients().ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        for order in orders:
            order._eldercare_hand_back(
                _(
                    "No acceptance from %(provider)s within %(hours)s hours.",
                    provider=order.provider_id.name,
                    hours=f"{2 * order.product_id.eldercare_accept_hours:g}",
                )
            )
        orders.filtered(lambda o: o.state == "draft")._eldercare_escalate()

    def _eldercare_escalate(self):
        orders = self.sudo()
        if not orders:
            return
        supervisors = self.env["res.users"]._eldercare_supervisors()
        orders._eldercare_schedule_for(
            {
                order.id: supervisors.filtered(
                    lambda u, company=order.company_id: company in u.company_ids
                )
                for order in orders
            },
            ACTIVITY_ESCALATION,
            lambda o: o.env._("Late work order %(order)s", order=o.name),
            lambda o: o.env._(
                "%(order)s (%(item)s for %(elder)s) is %(state)s and late: " "%(why)s",
                order=o.name,
                item=o.product_id.name,
                elder=o.elder_id.name,
                state=dict(o._fields["state"]._description_selection(o.env))[o.state],
                why=o._eldercare_late_reason(),
            ),
        )
        orders.write({"escalated": True})
        for order in orders:
            order.message_post(
                body=_("Late: escalated to the supervisors."),
                subtype_xmlid="mail.mt_note",
            )

    def _eldercare_late_reason(self):
        self.ensure_one()
        now = fields.Datetime.now()
        if self.date_deadline and self.date_deadline <= now:
            return _("its deadline has passed.")
        if self.state == "accepted":
            return _("the provider has not started the work.")
        if self.state == "draft":
            return _("no provider accepted it in time and no other one is left.")
        return _("the provider has not accepted it.")
