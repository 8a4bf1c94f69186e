from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError


class EldercareRelative(models.Model):
    _inherit = "eldercare.relative"

    email = fields.Char(help="Needed to invite the relative to the family portal.")
    contact_partner_id = fields.Many2one(
        "res.partner",
        string="Portal Contact",
        index="btree_not_null",
        ondelete="set null",
        copy=False,
        help="The contact of the relative who logs into the family portal. "
        "One person who is the relative of several elders has one contact.",
    )
    portal_user_id = fields.Many2one("res.users", compute="_compute_portal_user_id")

    @api.depends("contact_partner_id")
    def _compute_portal_user_id(self):
        for relative in self:
            users = relative.contact_partner_id.sudo().user_ids
            relative.portal_user_id = users.filtered("share")[:1]

    # ---------------------------------------------------------------- actions
    def action_eldercare_invite_portal(self):
        """Give the relative a family portal login (the standard portal
        invitation email, then the family role)."""
        self.check_access("write")
        family = self.env.ref("eldercare_family.group_eldercare_family")
        for relative in self:
            if not relative.email:
                raise UserError(
                    _(
                        "Enter the email of %(name)s first: the portal invitation "
                        "is sent to it.",
                        name=relative.name,
                    )
                )
            relative = relative.sudo()
            contact = relative.contact_partner_id or relative._eldercare_find_contact()
            if not contact:
                contact = (
                    self.env["res.partner"]
                    .sudo()
                    .create(
                        {
                            "name": relative.name,
                            "email": relative.email,
                            "phone": relative.phone,
                        }
                    )
                )
            relative.contact_partner_id = contact
            user = contact.user_ids[:1]
            if user and not user.share:
                raise UserError(
                    _(
                        "%(name)s is an employee of the center and already has a "
                        "login.",
                        name=contact.name,
                    )
                )
            if not user or not user.has_group("base.group_portal"):
                wizard = (
                    self.env["portal.wizard"]
                    .sudo()
                    .create({"partner_ids": [Command.set(contact.ids)]})
                )
                wizard.user_ids.action_grant_access()
                user = contact.with_context(active_test=False).user_ids[:1]
            user.sudo().write({"groups_id": [Command.link(family.id)]})
        return True

    def _eldercare_find_contact(self):
        """The existing portal contact of the same person (same email),
        relative of another elder."""
        self.ensure_one()
        other = self.sudo().search(
            [
                ("id", "!=", self.id),
                ("email", "=ilike", self.email),
                ("contact_partner_id", "!=", False),
            ],
            limit=1,
        )
        return other.contact_partner_id

    # ---------------------------------------------------------------- portal
    @api.model
    def _eldercare_family_relatives(self, user=None):
        """The relative records of a portal user (one per elder), sudo."""
        user = user or self.env.user
        return self.sudo().search(
            [
                ("contact_partner_id", "=", user.partner_id.id),
                ("partner_id.active", "=", True),
                ("partner_id.is_elder", "=", True),
            ]
        )

    def _eldercare_family_update_contact(self, phone, availability):
        """The relative keeps their phone and call-out availability up to date
        (on every elder they are the relative of)."""
        phone = (phone or "").strip()
        if phone and not self.env["eldercare.phone"]._normalize_number(phone):
            raise UserError(
                _(
                    "“%(phone)s” is not a phone number we can call. Type a mobile "
                    "number (13800138000) or a landline with its area code.",
                    phone=phone[:50],
                )
            )
        vals = {"availability": (availability or "").strip()[:200] or False}
        if phone:
            vals["phone"] = phone
        self.sudo().write(vals)
        if phone:
            self.sudo().contact_partner_id.write({"phone": phone})
        return True
