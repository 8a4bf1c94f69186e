"""Household requests made by phone: the telephony entry point, the
coordinator who takes them and the dashboard counters."""

import logging

from markupsafe import Markup

from odoo import api, fields, models

_logger = logging.getLogger(__name__)


class EldercareServiceRequest(models.Model):
    _inherit = "eldercare.service.request"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # telephony entry point (contract)
    # ------------------------------------------------------------------
    @api.model
    def _create_from_call(self, vals):
        """One request from a phone call; see :meth:`_eldercare_create_from_phone`."""
        return self._eldercare_create_from_phone([vals or {}])[:1]

    @api.model
    def _eldercare_create_from_phone(self, vals_list):
        """Create household requests made by phone (service key or voice menu).

        ``vals_list``: list of dicts, one per call, with
          ``caller_number`` (str), ``linkedid`` (str, the Asterisk linkedid:
          a second call with the same one returns the existing request),
          ``elder_id`` (int, optional: the elder the bridge identified, else
          found from the caller number), ``product_id`` (int, optional: the
          service chosen in the voice menu) and/or ``key`` (str: the phone
          service key pressed), ``channel`` ("ivr" or "phone_key"; default
          "ivr" when a ``product_id`` is given, else "phone_key").

        Each new request lands with a coordinator (the rule of
        :meth:`_eldercare_pick_coordinators`), who gets a call-back activity
        due today; it counts in :meth:`_eldercare_phone_counters` and, being
        the operator of the request, the coordinator gets its satisfaction
        follow-up call when the work is done. Never raises on bad input: an
        unknown key or caller still creates a request, with a note saying what
        is missing. Returns the requests in the order of ``vals_list``.
        """
        Partner = self.env["res.partner"]
        result = []
        new_vals, notes_by_index, linked = [], {}, {}
        for vals in vals_list or []:
            vals = dict(vals or {})
            linkedid = str(vals.get("linkedid") or "").strip()
            if linkedid in linked:
                result.append(linked[linkedid])
                continue
            if linkedid:
                existing = self.sudo().search(
                    [("call_linkedid", "=", linkedid)], limit=1
                )
                if existing:
                    result.append(existing)
                    continue
            caller = str(vals.get("caller_number") or "").strip()
            key = str(vals.get("key") or "").strip()
            product = self.env["product.product"]
            try:
                product = (
                    self.env["product.product"]
                    .sudo()
                    .browse(int(vals.get("product_id") or 0))
                    .exists()
                    .filtered("is_eldercare_service")
                )
            except (TypeError, ValueError):
                product = self.env["product.product"]
            channel = vals.get("channel")
            if channel not in ("ivr", "phone_key"):
                channel = "ivr" if product else "phone_key"
            if not product:
                product = self.env["eldercare.service.key"]._get_product_for_key(key)
            elder = Partner
            try:
                elder = Partner.browse(int(vals.get("elder_id") or 0)).exists()
            except (TypeError, ValueError):
                elder = Partner
            elder = elder.filtered("is_elder")
            if not elder and caller:
                elder = Partner._eldercare_find_elder_by_phone(caller)
            notes = []
            if not product:
                notes.append(
                    self.env._(
                        'Unknown service key "%(key)s": no service is configured '
                        "for it. Call back to ask what is needed.",
                        key=key or "-",
                    )
                )
            if not elder:
                notes.append(
                    self.env._(
                        "Caller %(number)s is not on file: capture name, phone and "
                        "address.",
                        number=caller or self.env._("(hidden number)"),
                    )
                )
            notes_by_index[len(new_vals)] = notes
            new_vals.append(
                {
                    "partner_id": elder[:1].id,
                    "caller_number": caller or False,
                    "service_key": key or False,
                    "product_id": product.id,
                    "channel": channel,
                    "call_linkedid": linkedid or False,
                    "note": "\n".join(notes) or False,
                    "user_id": False,
                }
            )
            result.append(len(new_vals) - 1)
            if linkedid:
                linked[linkedid] = len(new_vals) - 1
        if new_vals:
            coordinators = self._eldercare_pick_coordinators(len(new_vals))
            for vals, user in zip(new_vals, coordinators, strict=True):
                vals["user_id"] = user.id
            created = self.create(new_vals)
            for index, request in enumerate(created):
                notes = notes_by_index[index]
                if notes:
                    request.message_post(
                        body=Markup("<br/>").join(notes), subtype_xmlid="mail.mt_note"
                    )
                request._eldercare_schedule_phone_callback(notes)
                _logger.info(
                    "Service request %s created from call %s (key %r, elder %s), "
                    "coordinator %s",
                    request.name,
                    request.call_linkedid or "-",
                    request.service_key,
                    request.partner_id.id or "-",
                    request.user_id.login or "-",
                )
        else:
            created = self.browse()
        requests = self.browse()
        for item in result:
            requests |= created[item] if isinstance(item, int) else item
        # the same request twice (repeated linkedid): union keeps it once
        return requests.with_env(self.env)

    @api.model
    def _eldercare_pick_coordinators(self, count):
        """``count`` coordinators for new phone requests, one per request.

        Rule: the company's household coordinators when configured, else its
        operators (active internal users of the operator role); the one with
        the fewest open requests (new or quoted) goes first, ties to the
        lowest user id; each request given counts at once, so a batch is
        spread. No candidate at all: the requests stay without coordinator.
        """
        company = self.env.company
        users = company.sudo().eldercare_coordinator_ids.filtered(
            lambda u: u.active and not u.share
        )
        if not users:
            group = self.env.ref(
                "eldercare_base.group_eldercare_operator", raise_if_not_found=False
            )
            users = (group.sudo().users if group else self.env["res.users"]).filtered(
                lambda u: u.active
                and not u.share
                and not u._is_superuser()
                and company in u.company_ids
            )
        if not users:
            return [self.env["res.users"]] * count
        load = {
            user.id: n
            for user, n in self.sudo()._read_group(
                [("user_id", "in", users.ids), ("state", "in", ("new", "quoted"))],
                ["user_id"],
                ["__count"],
            )
        }
        picked = []
        for _i in range(count):
            user = min(users, key=lambda u: (load.get(u.id, 0), u.id))
            load[user.id] = load.get(user.id, 0) + 1
            picked.append(user)
        return picked

    def _eldercare_schedule_phone_callback(self, notes=None):
        self.ensure_one()
        if not self.user_id or self.user_id.share:
            return
        # no e-mail: the coordinator's activity menu (live counter) shows it,
        # and the calling bridge user has no sender address anyway
        self.with_context(mail_activity_quick_update=True).activity_schedule(
            "eldercare_household.mail_activity_phone_request",
            user_id=self.user_id.id,
            date_deadline=fields.Date.context_today(self),
            summary=self.env._(
                "Phone request: %(who)s, %(service)s",
                who=self.requester_display,
                service=self.product_id.display_name or self.env._("service unknown"),
            ),
            note="\n".join(notes or [])
            or self.env._(
                "Call back to agree the time, then find providers and dispatch."
            ),
        )

    @api.model
    def _eldercare_phone_counters(self):
        """Dashboard counters of the requests made by phone still to handle:
        ``{"phone_new": all of them, "phone_mine": the current user's}``."""
        domain = [("channel", "in", ("ivr", "phone_key")), ("state", "=", "new")]
        return {
            "phone_new": self.search_count(domain),
            "phone_mine": self.search_count(domain + [("user_id", "=", self.env.uid)]),
        }
