"""A work order after dispatch: the provider accepts, declines, starts and
finishes it; the centre verifies, reopens or cancels it."""

from odoo import _, fields, models

from .eldercare_work_order import (
    ACTIVITY_DISPATCH,
    ACTIVITY_ESCALATION,
    ACTIVITY_LATE,
    ACTIVITY_TODO,
    ACTIVITY_VERIFY,
)
from .product_template import VERIFICATION_METHODS


class EldercareWorkOrder(models.Model):
    _inherit = "eldercare.work.order"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------- provider
    def action_accept(self):
        self._check_transition("accept")
        res = self._eldercare_write_as_center(
            {
                "state": "accepted",
                "decline_reason": False,
                "date_accepted": fields.Datetime.now(),
                "late_warned": False,
            }
        )
        self.sudo().activity_unlink([ACTIVITY_LATE])
        return res

    def action_decline(self, reason=False):
        self._check_transition("decline")
        if not reason:
            return {
                "type": "ir.actions.act_window",
                "name": _("Decline Work Order"),
                "res_model": "eldercare.work.order.decline",
                "view_mode": "form",
                "target": "new",
                "context": {"default_work_order_ids": self.ids},
            }
        self.check_access("write")
        for order in self:
            order.message_post(
                body=_(
                    "%(provider)s declined the work order: %(reason)s",
                    provider=order.provider_id.name or _("The provider"),
                    reason=reason,
                )
            )
        # sudo: a provider declining loses access to the order it hands back
        self.sudo()._eldercare_hand_back(reason)
        return True

    def _eldercare_hand_back(self, reason):
        """Back to draft without provider, the provider remembered as refused;
        automatic orders go straight to the next provider."""
        self.activity_unlink([ACTIVITY_TODO, ACTIVITY_LATE])
        for order in self:
            refused = order.provider_id.commercial_partner_id
            order.write(
                {
                    "state": "draft",
                    "decline_reason": reason,
                    "provider_id": False,
                    "staff_id": False,
                    "user_id": order.user_id.id if not order.user_id.share else False,
                    "date_assigned": False,
                    "late_warned": False,
                    "refused_provider_ids": [fields.Command.link(refused.id)]
                    if refused
                    else [],
                }
            )
        auto = self._eldercare_can_auto_dispatch()
        if auto:
            plan, failed = auto._eldercare_plan_dispatch()
            redispatched = (auto - failed)._eldercare_apply_dispatch(plan)
            for order in redispatched:
                order.message_post(
                    body=_(
                        "Dispatched again, to %(provider)s.",
                        provider=order.provider_id.name,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
            failed._eldercare_notify_no_provider()
        # orders dispatched by an operator (household, alert): the operator
        # chooses the next provider
        (self - auto)._eldercare_notify_no_provider()

    def action_start(self):
        self._check_transition("start")
        res = self._eldercare_write_as_center(
            {"state": "in_progress", "date_started": fields.Datetime.now()}
        )
        self.sudo().activity_unlink([ACTIVITY_LATE])
        return res

    def action_done(self):
        """The provider reports the work done: a claim, verified next."""
        self._check_transition("done")
        self._eldercare_write_as_center(
            {"state": "done", "date_end": fields.Datetime.now()}
        )
        # sudo: providers (portal) have no access to activities
        orders = self.sudo()
        orders.activity_feedback([ACTIVITY_TODO], feedback=_("Work order done."))
        orders.activity_unlink([ACTIVITY_LATE])
        orders._eldercare_after_done()
        return True

    # --------------------------------------------------------- verification
    def _eldercare_evidence_missing(self):
        """What is missing for the evidence to verify the order by itself."""
        self.ensure_one()
        missing = []
        photos = (
            self.env["ir.attachment"]
            .sudo()
            .search_count(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "=", self.id),
                    ("mimetype", "=like", "image/%"),
                ]
            )
        )
        if not photos:
            missing.append(_("a photo of the work"))
        if not (
            self.date_started and self.date_end and self.date_end >= self.date_started
        ):
            missing.append(_("the start and end times"))
        if not self.evidence_pin_ok:
            missing.append(_("the elder's PIN"))
        return missing

    def _eldercare_after_done(self):
        """Verify at once what the evidence proves; ask the coordinator for the
        rest (for survey orders: to call the elder back)."""
        by_evidence = self.filtered(
            lambda o: o.verification_method == "evidence"
            and not o._eldercare_evidence_missing()
        )
        by_evidence._eldercare_mark_verified("evidence")
        rest = self - by_evidence
        if not rest:
            return

        def note(order):
            if order.verification_method == "survey":
                return order.env._(
                    "Call %(elder)s back and record their answer: it verifies "
                    "the order.",
                    elder=order.elder_id.name,
                )
            if order.verification_method == "evidence":
                return order.env._(
                    "The evidence is incomplete (missing: %(missing)s): check the "
                    "work with the elder, then verify the order.",
                    missing=", ".join(order._eldercare_evidence_missing()),
                )
            return order.env._(
                "%(provider)s reports the work done: check it with the elder, "
                "then verify the order (only verified orders are billed).",
                provider=order.provider_id.name or order.env._("The assignee"),
            )

        rest._eldercare_schedule_for(
            rest._eldercare_coordinators(),
            ACTIVITY_VERIFY,
            lambda o: o.env._("Verify %(order)s", order=o.name),
            note,
        )

    def _eldercare_mark_verified(self, via):
        if not self:
            return
        self.sudo().write(
            {
                "state": "verified",
                "verified_via": via,
                "verified_user_id": self.env.user.id if via == "coordinator" else False,
                "date_verified": fields.Datetime.now(),
            }
        )
        labels = dict(VERIFICATION_METHODS)
        for order in self.sudo():
            order.activity_feedback(
                [ACTIVITY_VERIFY],
                feedback=_("Verified: %(how)s", how=labels[via]),
            )
            if via != "coordinator":
                order.message_post(
                    body=_("Verified: %(how)s.", how=labels[via]),
                    subtype_xmlid="mail.mt_note",
                )

    def action_verify(self):
        self._check_transition("verify")
        self._eldercare_mark_verified("coordinator")
        return True

    def action_reopen(self):
        """The coordinator does not accept the provider's claim: back to the
        provider, in progress."""
        self._check_transition("reopen")
        self.write({"state": "in_progress", "date_end": False})
        self.sudo().activity_unlink([ACTIVITY_VERIFY])
        for order in self:
            order.message_post(
                body=_(
                    "The center did not accept the work as done: %(order)s is in "
                    "progress again.",
                    order=order.name,
                ),
                partner_ids=order._eldercare_provider_recipients().ids
                if order.provider_id
                else [],
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        return True

    def action_cancel(self):
        self._check_transition("cancel")
        self.activity_unlink(
            [ACTIVITY_TODO, ACTIVITY_DISPATCH, ACTIVITY_LATE, ACTIVITY_ESCALATION]
        )
        return self.write({"state": "cancel"})

    def action_reset_draft(self):
        self._check_transition("reset_draft")
        return self.write({"state": "draft", "date_end": False})
