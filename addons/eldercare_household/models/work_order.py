from markupsafe import Markup, escape

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

    def _eldercare_provider_users(self):
        """Portal users of the provider of these orders (and their staff users)."""
        provider_group = self.env.ref(
            "eldercare_base.group_eldercare_provider", raise_if_not_found=False
        )
        providers = self.provider_id.commercial_partner_id
        users = self.env["res.users"]
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
        users |= self.staff_id.user_id
        return users

    def _eldercare_notify_provider(self):
        """Tell the provider's portal users a new order is waiting for them."""
        for order in self:
            partners = order._eldercare_provider_users().partner_id
            if partners:
                order.message_subscribe(partner_ids=partners.ids)
            if order.user_id.share:
                # already told by the assignment message of eldercare_base
                partners -= order.user_id.partner_id
            when = (
                fields.Datetime.to_string(
                    fields.Datetime.context_timestamp(order, order.date_scheduled)
                )[:16]
                if order.date_scheduled
                else self.env._("to be agreed with the elder")
            )
            body = Markup(
                self.env._(
                    "New household work order %(order)s for %(provider)s: "
                    "%(service)s, time: %(when)s. Please accept or decline it on "
                    "the provider portal (%(url)s).",
                    order=escape(order.name),
                    provider=escape(order.provider_id.display_name),
                    service=escape(order.product_id.display_name),
                    when=escape(when),
                    url=Markup('<a href="%s">%s</a>')
                    % (order._eldercare_portal_url(), order._eldercare_portal_url()),
                )
            )
            order.message_post(
                body=body,
                partner_ids=partners.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )

    def _eldercare_portal_url(self):
        self.ensure_one()
        return f"/my/work_orders/{self.id}"

    def _eldercare_portal_values(self):
        """The only facts a provider sees about an order: no health data."""
        self.ensure_one()
        elder = self.elder_id.sudo()
        request = self.request_id.sudo()
        address = request.address or (
            elder
            and self.env["eldercare.service.request"]._format_partner_address(elder)
        )
        phone = (
            request.phone
            or elder.mobile
            or elder.phone
            or (elder["home_phone"] if elder else False)
        )
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
        self, quantity, note=None, attachments=None, author=None
    ):
        """Finish from the portal: actual quantity, a note and photos.

        ``attachments``: list of (filename, bytes, mimetype).
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
        if self.state == "accepted":
            self.action_start()
        self.quantity = quantity
        files = [
            (filename or "photo", content)
            for filename, content, _mimetype in attachments or []
            if content
        ]
        note = (note or "").strip()
        if note or files:
            # message_post creates the attachments on the order and the message
            self.message_post(
                body=note or self.env._("Finished, see the attached photo."),
                attachments=files,
                author_id=author.id if author else None,
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
