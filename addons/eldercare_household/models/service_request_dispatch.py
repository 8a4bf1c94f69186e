"""Matching a household request with providers, dispatching the work order,
and following it until done (or handed back, then dispatched again)."""

from markupsafe import Markup, escape

from odoo import Command, fields, models
from odoo.exceptions import UserError

from .service_request import WO_DONE_STATES, WO_OPEN_STATES


class EldercareServiceRequest(models.Model):
    _inherit = "eldercare.service.request"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # matching and dispatch
    # ------------------------------------------------------------------
    def _check_matchable(self):
        self.ensure_one()
        if self.state not in ("new", "quoted"):
            raise UserError(
                self.env._(
                    "Providers can only be proposed for a new or quoted request "
                    "(%(name)s is %(state)s).",
                    name=self.name,
                    state=dict(self._fields["state"]._description_selection(self.env))[
                        self.state
                    ],
                )
            )
        missing = []
        if not self.product_id:
            missing.append(self.env._("the service"))
        if not self.community_id:
            missing.append(self.env._("the community"))
        if missing:
            raise UserError(
                self.env._(
                    "Set %(missing)s on request %(name)s before looking for "
                    "providers.",
                    missing=self.env._(" and ").join(missing),
                    name=self.name,
                )
            )

    def _match_date(self):
        self.ensure_one()
        if self.date_preferred:
            return fields.Date.context_today(self, self.date_preferred)
        return fields.Date.context_today(self)

    def _match_providers(self):
        """Replace the proposals by the providers eligible for this request."""
        self.ensure_one()
        self._check_matchable()
        eligible = self.env["eldercare.provider.contract"]._find_eligible(
            self.product_id, self.community_id, date=self._match_date()
        )
        commands = [Command.clear()]
        priced, unpriced = [], []
        no_staff = self.env["eldercare.provider.staff"]
        staff_by_provider = self._available_staff(
            self.env["res.partner"].union(*(provider for provider, _line in eligible))
        )
        for provider, line in eligible:
            staff = staff_by_provider.get(provider.id, no_staff)
            vals = self._prepare_proposal_vals(provider, line, staff)
            # a contract line is the price record: 0 on it means free, which
            # is dispatched like any price; only a missing line is "no price"
            (priced if vals["contract_line_id"] else unpriced).append(vals)
        # the contract helper already sorts by price; keep that order but put
        # the offers without a price record last, they cannot be dispatched.
        for seq, vals in enumerate(priced + unpriced, start=1):
            vals["sequence"] = seq
            commands.append(Command.create(vals))
        self.write({"proposal_ids": commands})
        if not eligible:
            self.message_post(
                body=self.env._(
                    "No provider has an active contract covering %(service)s in "
                    "%(community)s.",
                    service=self.product_id.display_name,
                    community=self.community_id.display_name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        if unpriced:
            self.message_post(
                body=self.env._(
                    "No committed price for %(service)s in the contract of: "
                    "%(providers)s. Fix the contract before dispatching to them.",
                    service=self.product_id.display_name,
                    providers=", ".join(v["provider_name"] for v in unpriced),
                ),
                subtype_xmlid="mail.mt_note",
            )
        if priced and self.state == "new":
            self.state = "quoted"
        return self.proposal_ids

    def _prepare_proposal_vals(self, provider, line, staff):
        return {
            "provider_id": provider.id,
            "provider_name": provider.display_name,
            "contract_line_id": line.id,
            "price_unit": line.price_unit or 0.0,
            "available_staff_ids": [Command.set(staff.ids)],
            "staff_id": staff[:1].id,
        }

    def _available_staff(self, providers):
        """Active, available staff able to do this service here, as
        {provider id: staff}, with one search for all ``providers``."""
        self.ensure_one()
        staff = (
            self.env["eldercare.provider.staff"]
            .sudo()
            .search(
                [
                    ("provider_id", "in", providers.ids),
                    ("available", "=", True),
                ]
            )
            .filtered(lambda member: member._covers(self.product_id, self.community_id))
            .with_env(self.env)
        )
        return {
            provider.id: members
            for provider, members in staff.grouped("provider_id").items()
        }

    def _dispatch(self, proposal):
        """Create the work order for ``proposal`` and notify the provider."""
        self.ensure_one()
        if self.state not in ("new", "quoted"):
            raise UserError(
                self.env._(
                    "Request %(name)s already has a provider working on it.",
                    name=self.name,
                )
            )
        if proposal.price_missing:
            raise UserError(
                self.env._(
                    "The contract of %(provider)s has no committed price for "
                    "%(service)s. Ask the contract manager to set the price on "
                    "the contract, then confirm again. The request %(name)s is "
                    "kept as it is.",
                    provider=proposal.provider_id.display_name,
                    service=self.product_id.display_name,
                    name=self.name,
                )
            )
        if not self.partner_id:
            raise UserError(
                self.env._(
                    "Request %(name)s has no elder on file. Register the caller "
                    "as an elder (or pick the existing file) before dispatching a "
                    "work order.",
                    name=self.name,
                )
            )
        vals = self._prepare_work_order_vals(proposal)
        # an order handed back by a provider (declined: draft, no provider) is
        # re-used for the next provider; its chatter keeps the history.
        work_order = self.work_order_ids.filtered(
            lambda wo: wo.state == "draft" and not wo.provider_id
        )[:1]
        if work_order:
            vals.pop("request_id", None)
            vals.update(decline_reason=False, staff_id=vals.get("staff_id", False))
            vals.setdefault("user_id", False)
            work_order.write(vals)
        else:
            work_order = self.env["eldercare.work.order"].create(vals)
        work_order.action_assign()
        self.write(
            {
                "provider_id": proposal.provider_id.id,
                "contract_line_id": proposal.contract_line_id.id,
                "state": "scheduled",
            }
        )
        self.message_post(
            body=Markup(
                self.env._(
                    "Dispatched to %(provider)s as work order %(order)s.",
                    provider=escape(proposal.provider_id.display_name),
                    order=Markup(
                        '<a href="#" data-oe-model="eldercare.work.order" '
                        'data-oe-id="%s">%s</a>'
                    )
                    % (work_order.id, escape(work_order.name)),
                )
            ),
            subtype_xmlid="mail.mt_note",
        )
        return work_order

    def _dispatch_to_provider(self, provider):
        """Confirm the proposal of ``provider`` (a partner or its id), matching
        first when needed. Used by the demo data and by automations."""
        self.ensure_one()
        if not isinstance(provider, models.BaseModel):
            provider = self.env["res.partner"].browse(int(provider))
        proposal = self.proposal_ids.filtered(lambda p: p.provider_id == provider)
        if not proposal:
            self._match_providers()
            proposal = self.proposal_ids.filtered(lambda p: p.provider_id == provider)
        if not proposal:
            raise UserError(
                self.env._(
                    "%(provider)s is not among the eligible providers of request "
                    "%(name)s.",
                    provider=provider.display_name,
                    name=self.name,
                )
            )
        return self._dispatch(proposal[:1])

    def _prepare_work_order_vals(self, proposal):
        self.ensure_one()
        staff = proposal.staff_id
        vals = {
            "elder_id": self.partner_id.id,
            "product_id": self.product_id.id,
            "provider_id": proposal.provider_id.id,
            "origin": "household",
            "request_id": self.id,
            "quantity": 1.0,
            "price_unit": proposal.price_unit,
            "company_id": self.company_id.id,
            "coordinator_id": self.user_id.id if not self.user_id.share else False,
        }
        if staff:
            vals["staff_id"] = staff.id
            if staff.user_id:
                vals["user_id"] = staff.user_id.id
        if self.date_preferred:
            vals["date_scheduled"] = self.date_preferred
        return vals

    def _sync_from_work_orders(self):
        """Follow the work orders: done when one is done, back to quoted when
        the provider declined or the order was cancelled."""
        for req in self:
            if req.state in ("done", "cancel"):
                continue
            orders = req.work_order_ids
            if any(wo.state in WO_DONE_STATES for wo in orders):
                req.state = "done"
                req._schedule_satisfaction_call()
                continue
            live = orders.filtered(
                lambda wo: wo.state in WO_OPEN_STATES and not wo._is_handed_back()
            )
            if live:
                if req.state != "scheduled":
                    req.state = "scheduled"
            elif req.state == "scheduled":
                if orders.sorted("id", reverse=True)[:1]._is_handed_back():
                    req.proposal_ids.filtered(
                        lambda p, provider=req.provider_id: p.provider_id == provider
                    ).write({"declined": True})
                req.write(
                    {"state": "quoted", "provider_id": False, "contract_line_id": False}
                )
                req._notify_operator_redispatch()

    def _schedule_satisfaction_call(self):
        """Remind the operator to call the elder about the finished service."""
        self.ensure_one()
        user = self.user_id
        if not user or user.share or self.satisfaction:
            return
        self.activity_schedule(
            "eldercare_household.mail_activity_satisfaction_call",
            user_id=user.id,
            note=self.env._(
                "Ask %(who)s how %(service)s went and record the satisfaction.",
                who=self.requester_display,
                service=self.product_id.display_name or "",
            ),
        )

    def _notify_operator_redispatch(self):
        self.ensure_one()
        order = self.work_order_ids.sorted("id", reverse=True)[:1]
        if order._is_handed_back():
            note = self.env._(
                "The provider declined work order %(order)s: %(reason)s. "
                "Choose another provider.",
                order=order.name,
                reason=order.decline_reason,
            )
        else:
            note = self.env._(
                "Work order %(order)s was cancelled. Choose another provider or "
                "cancel the request.",
                order=order.name,
            )
        self.message_post(body=note, subtype_xmlid="mail.mt_note")
        user = self.user_id
        if user and not user.share:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=user.id,
                summary=self.env._("Dispatch to another provider"),
                note=note,
            )
