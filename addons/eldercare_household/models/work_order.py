from odoo import api, fields, models
from odoo.exceptions import UserError

# States in which the provider may act from the portal.
PORTAL_ACTIONS = {
    "accept": ("assigned",),
    "decline": ("assigned", "accepted"),
    "start": ("accepted",),
    "finish": ("accepted", "in_progress"),
}


class EldercareWorkOrder(models.Model):
    _inherit = "eldercare.work.order"

    request_id = fields.Many2one(
        "eldercare.service.request",
        string="Service Request",
        index="btree_not_null",
        ondelete="set null",
        copy=False,
        tracking=True,
    )
    request_satisfaction = fields.Selection(
        related="request_id.satisfaction", string="Request Satisfaction"
    )

    # ------------------------------------------------------------------
    # CRUD: keep the request in step with its work orders
    # ------------------------------------------------------------------
    def write(self, vals):
        res = super().write(vals)
        if {"state", "decline_reason"} & set(vals):
            # bookkeeping of the center: providers (portal) may move their
            # orders but have no access to the requests themselves
            self.sudo().request_id._sync_from_work_orders()
        return res

    def _is_handed_back(self):
        """Declined by its provider: back in draft, without provider."""
        self.ensure_one()
        return (
            self.state == "draft"
            and bool(self.decline_reason)
            and not (self.provider_id)
        )

    # ------------------------------------------------------------------
    # provider side helpers
    # ------------------------------------------------------------------
    @api.model
    def _eldercare_portal_domain(self, user=None):
        """Work orders a provider portal user works on: those of their provider
        (commercial partner) or of the providers they are staff of. Drafts
        (not dispatched yet, or handed back) are not shown."""
        user = user or self.env.user
        providers = (
            user.partner_id.commercial_partner_id
            | user.sudo().eldercare_staff_ids.provider_id
        )
        return [("state", "!=", "draft"), ("provider_id", "in", providers.ids)]

    def _eldercare_provider_portal_url(self):
        self.ensure_one()
        return self._eldercare_portal_url()

    def _eldercare_can_auto_dispatch(self):
        # a household request is dispatched by its operator (the elder agreed
        # to that provider's price): never behind the operator's back
        return (
            super()._eldercare_can_auto_dispatch().filtered(lambda o: not o.request_id)
        )

    def _eldercare_notify_no_provider(self):
        # the request's operator gets "Dispatch to another provider" instead
        return super(
            EldercareWorkOrder, self.filtered(lambda o: not o.request_id)
        )._eldercare_notify_no_provider()

    def _eldercare_portal_url(self):
        self.ensure_one()
        return f"/my/work_orders/{self.id}"

    def _eldercare_portal_values(self):
        """The only facts a provider sees about an order: no health data."""
        self.ensure_one()
        elder = self.elder_id.sudo()
        request = self.request_id.sudo()
        address = request.address or (elder and elder._eldercare_address())
        phone = request.phone or (elder and elder._eldercare_best_number())
        state_labels = dict(self._fields["state"]._description_selection(self.env))
        return {
            "id": self.id,
            "name": self.name,
            "state": self.state,
            "state_label": state_labels.get(self.state, self.state),
            "elder_name": elder.name or request.caller_name or "",
            "address": address or "",
            "phone": phone or "",
            "service": self.product_id.sudo().display_name or "",
            "date_scheduled": self.date_scheduled,
            "date_deadline": self.date_deadline,
            "accept_deadline": self.accept_deadline,
            "staff": self.staff_id.sudo().name or "",
            "quantity": self.quantity,
            "uom": self.product_id.sudo().uom_id.name or "",
            "price_unit": self.price_unit,
            "currency": self.currency_id,
            "instructions": self.description or "",
            "decline_reason": self.decline_reason or "",
            "can_accept": self.state in PORTAL_ACTIONS["accept"],
            "can_decline": self.state in PORTAL_ACTIONS["decline"],
            "can_start": self.state in PORTAL_ACTIONS["start"],
            "can_finish": self.state in PORTAL_ACTIONS["finish"],
            "max_quantity": f"{self.max_quantity:g}" if self.max_quantity else False,
            "asks_pin": self.verification_method == "evidence",
            "verified": self.state == "verified",
        }

    def _eldercare_check_portal_action(self, action):
        self.ensure_one()
        if self.state not in PORTAL_ACTIONS[action]:
            state_labels = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "Work order %(order)s is %(state)s: this step is not possible "
                    "any more.",
                    order=self.name,
                    state=state_labels.get(self.state, self.state),
                )
            )

    def _eldercare_portal_accept(self):
        self._eldercare_check_portal_action("accept")
        self.action_accept()
        return True

    def _eldercare_portal_decline(self, reason):
        self._eldercare_check_portal_action("decline")
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Please give a reason for declining."))
        self.action_decline(reason)
        return True

    def _eldercare_portal_start(self):
        self._eldercare_check_portal_action("start")
        self.action_start()
        return True

    def _eldercare_portal_finish(
        self, quantity, note=None, attachments=None, author=None, pin=None
    ):
        """Finish from the portal: actual quantity (at most the maximum per
        visit of the contract), a note, photos and the elder's PIN.

        ``attachments``: list of (filename, bytes, mimetype). The provider's
        "finished" is a claim: the order becomes done, and verified at once
        only when the service item is verified by evidence and the evidence
        is complete.
        """
        self._eldercare_check_portal_action("finish")
        try:
            quantity = float(quantity)
        except (TypeError, ValueError):
            raise UserError(
                self.env._("The actual quantity must be a number.")
            ) from None
        if quantity <= 0:
            raise UserError(self.env._("The actual quantity must be more than zero."))
        maximum = self.max_quantity
        if maximum and quantity > maximum:
            raise UserError(
                self.env._(
                    "A quantity of %(quantity)s is more than the %(maximum)s "
                    "%(uom)s allowed per visit for %(service)s. Enter the "
                    "quantity actually done; if more was really needed, call the "
                    "center.",
                    quantity=f"{quantity:g}",
                    maximum=f"{maximum:g}",
                    uom=self.product_id.sudo().uom_id.name or "",
                    service=self.product_id.sudo().display_name,
                )
            )
        pin = (pin or "").strip()
        pin_ok = False
        if pin:
            if not self.elder_id._eldercare_check_service_pin(pin):
                raise UserError(
                    self.env._(
                        "This is not the elder's service PIN. Ask the elder again, "
                        "or finish without the PIN: the center then checks the "
                        "visit."
                    )
                )
            pin_ok = True
        if self.state == "accepted":
            self.action_start()
        self._eldercare_write_as_center(
            {"quantity": quantity, "evidence_pin_ok": pin_ok}
        )
        files = [
            (filename or "photo", content)
            for filename, content, _mimetype in attachments or []
            if content
        ]
        note = (note or "").strip()
        if note or files:
            # message_post creates the attachments on the order and the message
            self.sudo().message_post(
                body=note or self.env._("Finished, see the attached photo."),
                attachments=files,
                author_id=author.id if author else self.env.user.partner_id.id,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        self.action_done()
        return True

    # ------------------------------------------------------------------
    # satisfaction
    # ------------------------------------------------------------------
    def action_open_satisfaction_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Record Satisfaction"),
            "res_model": "eldercare.satisfaction.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_work_order_id": self.id,
                "default_satisfaction": self.satisfaction or False,
                "default_feedback": self.feedback or False,
            },
        }
