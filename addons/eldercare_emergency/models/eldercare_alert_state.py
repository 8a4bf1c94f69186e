"""The state machine of an alert: take, confirm, notify the family,
dispatch, on site, resolve, close, false alarm (the transitions and their
checks)."""

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from .eldercare_alert import CLOSED_STATES


class EldercareAlert(models.Model):
    _inherit = "eldercare.alert"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ helpers
    @api.model
    def _eldercare_normalize(self, raw):
        # _normalize_number never raises: garbage, empty and None give False
        return self.env["eldercare.phone"]._normalize_number(raw) or False

    @api.model
    def _eldercare_find_elder(self, raw):
        # never raises on a bad number (empty recordset); a database error is
        # not hidden: the alert is then spooled by the bridge and raised again
        return self.env["res.partner"].sudo()._eldercare_find_elder_by_phone(raw)[:1]

    def _check_state(self, allowed, action_label):
        for alert in self:
            if alert.state not in allowed:
                raise UserError(
                    self.env._(
                        "%(action)s is not possible on alert %(alert)s in state "
                        "%(state)s.",
                        action=action_label,
                        alert=alert.name,
                        state=dict(
                            self._fields["state"]._description_selection(self.env)
                        )[alert.state],
                    )
                )

    def _is_supervisor(self):
        return self.env.user.has_group("eldercare_base.group_eldercare_supervisor")

    def _ensure_taken(self):
        """Take the alerts that nobody took yet; refuse if taken by someone else."""
        for alert in self:
            if not alert.operator_id:
                alert.action_take()
            elif alert.operator_id != self.env.user and not self._is_supervisor():
                raise UserError(
                    self.env._(
                        "Alert %(alert)s is being handled by %(user)s.",
                        alert=alert.name,
                        user=alert.operator_id.name,
                    )
                )

    def _eldercare_assignees(self):
        self.ensure_one()
        users = self.work_order_id.user_id | self.responder_ids
        if not users:
            users = self.operator_id
        return users.filtered(lambda u: not u.share and u.active)

    # ------------------------------------------------------------------ actions
    def action_take(self, force=False):
        """The current operator takes the alert: others see "taken by X"."""
        now = fields.Datetime.now()
        for alert in self:
            if alert.state in ("closed", "false_alarm"):
                raise UserError(
                    self.env._("Alert %(alert)s is already finished.", alert=alert.name)
                )
            if alert.operator_id and alert.operator_id != self.env.user:
                if not force:
                    raise UserError(
                        self.env._(
                            "Alert %(alert)s is already taken by %(user)s.",
                            alert=alert.name,
                            user=alert.operator_id.name,
                        )
                    )
                if not self._is_supervisor():
                    raise UserError(
                        self.env._(
                            "Only a supervisor can take over an alert handled by "
                            "%(user)s.",
                            user=alert.operator_id.name,
                        )
                    )
            vals = {"operator_id": self.env.user.id}
            if not alert.taken_at:
                vals["taken_at"] = now
            if not alert.answered_at and alert._eldercare_answer_on_take():
                vals["answered_at"] = now
            alert._system_write(vals)
        return True

    def _eldercare_answer_on_take(self):
        """Hook: does Take also record the answer? Yes without a call log; the
        telephony addon answers "no" for an alert raised by a call (its answer
        is the real pickup of the call)."""
        self.ensure_one()
        return True

    def _system_write(self, vals):
        """Write evidence fields on the user's behalf after checking the user
        may write the alerts; the tracking keeps the user as the author."""
        self.check_access("write")
        return self.sudo().write(vals)

    def action_take_over(self):
        """Supervisor button: take over an alert taken by another operator."""
        return self.action_take(force=True)

    def action_call_back(self):
        """Call the elder back to confirm the alert.

        Hook: the telephony addon overrides this method (or
        ``_eldercare_call_back_action``) to originate the call. By default the
        alert moves to "confirming" and the elder's numbers are shown.
        """
        self._check_state(("new", "confirming"), self.env._("Calling back"))
        self._ensure_taken()
        self.filtered(lambda a: a.state == "new")._system_write({"state": "confirming"})
        return self._eldercare_call_back_action()

    def _eldercare_call_back_numbers(self):
        self.ensure_one()
        elder = self.elder_id.sudo()
        numbers = []
        if elder:
            for phone in elder.elder_phone_ids:
                label = dict(
                    phone._fields["phone_type"]._description_selection(self.env)
                ).get(phone.phone_type, "")
                numbers.append((label, phone.number))
            if elder.home_phone:
                numbers.append((self.env._("Home"), elder.home_phone))
            if elder.mobile:
                numbers.append((self.env._("Mobile"), elder.mobile))
        if self.caller_number:
            numbers.append((self.env._("Caller"), self.caller_number))
        seen, unique = set(), []
        for label, number in numbers:
            if number and number not in seen:
                seen.add(number)
                unique.append((label, number))
        return unique

    def _eldercare_call_back_action(self):
        self.ensure_one()
        numbers = self._eldercare_call_back_numbers()
        if numbers:
            message = " · ".join(f"{label}: {number}" for label, number in numbers)
        else:
            message = self.env._("No phone number on file.")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._(
                    "Call back %(who)s",
                    who=self.elder_id.name or self.caller_number or "",
                ),
                "message": message,
                "sticky": True,
                "type": "info",
            },
        }

    def action_confirm(self):
        """The operator confirmed the emergency is real."""
        self._check_state(("new", "confirming"), self.env._("Confirming"))
        self._ensure_taken()
        self._system_write(
            {"state": "confirmed", "confirmed_at": fields.Datetime.now()}
        )
        return True

    def action_false_alarm_wizard(self):
        self.ensure_one()
        self._check_state(
            ("new", "confirming", "confirmed"), self.env._("Marking as false alarm")
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("False Alarm"),
            "res_model": "eldercare.alert.false.alarm.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_alert_id": self.id},
        }

    def action_false_alarm(self, reason):
        """Cancel as false alarm; the alert is kept and reported."""
        if not (reason or "").strip():
            raise UserError(self.env._("A false alarm needs a reason."))
        self._check_state(
            ("new", "confirming", "confirmed"), self.env._("Marking as false alarm")
        )
        self._ensure_taken()
        self._system_write(
            {
                "state": "false_alarm",
                "false_alarm_reason": reason.strip(),
                "cancelled_at": fields.Datetime.now(),
            }
        )
        self._eldercare_clear_deadline_activities()
        return True

    def action_notify(self):
        """Notify relatives (priority order) and the community worker."""
        self._check_state(
            ("new", "confirming", "confirmed", "dispatched"),
            self.env._("Notifying relatives"),
        )
        for alert in self:
            alert._eldercare_notify()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Relatives notified"),
                "message": self.env._("See the alert's chatter for who to call."),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _eldercare_notify_relatives(self):
        """Relatives to notify, emergency contacts first then by priority."""
        self.ensure_one()
        relatives = self.elder_id.sudo().relative_ids
        return relatives.sorted(
            lambda r: (not r.is_emergency_contact, r.sequence, r.id)
        )

    def _eldercare_sms_provider_configured(self):
        """Hook: return True when an SMS provider is configured (none by default).

        No SMS is ever pretended: without a provider nothing is sent."""
        return False

    def _eldercare_send_sms(self, relatives):
        """Hook for an SMS provider addon. Returns the relatives texted."""
        return relatives.browse()

    def _eldercare_call_relatives(self, relatives):
        """Hook for the telephony addon: place outbound calls to the relatives.

        Returns the relatives for which a call was placed (none by default)."""
        return relatives.browse()

    def _eldercare_notify(self):
        self.ensure_one()
        if not self.elder_id:
            raise UserError(
                self.env._(
                    "Alert %(alert)s has no elder on file: identify the caller first.",
                    alert=self.name,
                )
            )
        elder = self.elder_id.sudo()
        relatives = self._eldercare_notify_relatives()
        called = self._eldercare_call_relatives(relatives)
        texted = relatives.browse()
        if self._eldercare_sms_provider_configured():
            texted = self._eldercare_send_sms(relatives)
        lines = []
        relations = dict(relatives._fields["relation"]._description_selection(self.env))
        for relative in relatives:
            extra = []
            if relative.is_emergency_contact:
                extra.append(self.env._("emergency contact"))
            if relative in called:
                extra.append(self.env._("called"))
            if relative in texted:
                extra.append(self.env._("SMS sent"))
            relation = relations.get(relative.relation, relative.relation or "")
            lines.append(
                f"{relative.name} ({relation}) {relative.phone or ''} "
                f"{relative.work_unit or ''}"
                + (f" [{', '.join(extra)}]" if extra else "")
            )
        notes = []
        if not lines:
            notes.append(self.env._("No relative on file."))
        if not texted:
            notes.append(self.env._("No SMS sent (no SMS provider configured)."))
        worker = elder.worker_id
        if worker:
            notes.append(
                self.env._("Community worker %(name)s informed.", name=worker.name)
            )
            self.activity_schedule(
                "eldercare_emergency.mail_activity_alert_notify",
                user_id=worker.id,
                summary=self.env._(
                    "Emergency alert for %(elder)s", elder=self.elder_id.name
                ),
                note=self.env._(
                    "%(type)s alert %(alert)s for %(elder)s. Please follow up.",
                    type=self.type_id.name,
                    alert=self.name,
                    elder=self.elder_id.name,
                ),
            )
        body = Markup("<p>%s</p><ol>%s</ol><p>%s</p>") % (
            self.env._("Relatives to notify, in order:"),
            Markup().join(Markup("<li>%s</li>") % line for line in lines),
            Markup("<br/>").join(notes),
        )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
        self._system_write({"notified_at": fields.Datetime.now()})

    def action_dispatch_wizard(self):
        self.ensure_one()
        self._check_dispatchable()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Dispatch"),
            "res_model": "eldercare.alert.dispatch.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_alert_id": self.id},
        }

    def _check_dispatchable(self):
        for alert in self:
            if alert.state in CLOSED_STATES:
                raise UserError(
                    self.env._(
                        "Alert %(alert)s is finished and cannot be dispatched again.",
                        alert=alert.name,
                    )
                )
        self._check_state(("confirmed", "dispatched"), self.env._("Dispatching"))

    def _prepare_work_order_vals(
        self, user=False, provider=False, staff=False, note=""
    ):
        self.ensure_one()
        product = self.env.ref("eldercare_base.product_service_emergency_followup")
        now = fields.Datetime.now()
        vals = {
            "elder_id": self.elder_id.id,
            "product_id": product.product_variant_id.id
            if product._name == "product.template"
            else product.id,
            "origin": "alert",
            "alert_id": self.id,
            "user_id": user.id if user else False,
            "provider_id": provider.id if provider else False,
            "staff_id": staff.id if staff else False,
            "date_scheduled": now,
            "date_deadline": max(self.deadline, now) if self.deadline else False,
            "description": note or False,
            "company_id": self.company_id.id,
        }
        return vals

    def _dispatch(self, user=False, provider=False, staff=False, note=""):
        """Create the follow-up work order and notify the assignee."""
        self.ensure_one()
        self._check_dispatchable()
        if not self.elder_id:
            raise UserError(
                self.env._("Identify the elder before dispatching alert %s.", self.name)
            )
        if staff and not provider:
            provider = staff.provider_id
        if staff and not user and staff.user_id:
            user = staff.user_id
        if not (user or provider):
            raise UserError(
                self.env._("Choose a community worker or a provider's staff.")
            )
        self._ensure_taken()
        order = (
            self.env["eldercare.work.order"]
            .sudo()
            .create(self._prepare_work_order_vals(user, provider, staff, note))
        )
        if provider:
            # the work order flow notifies the provider's staff (message for
            # portal users, activity for internal ones)
            order.action_assign()
            order.message_post(
                body=order._eldercare_alert_note(), subtype_xmlid="mail.mt_note"
            )
        else:
            # a community worker: in house, no provider contract involved; the
            # worker gets the urgent "go on site" to-do (_notify_assignee)
            order.action_assign_in_house()
        vals = {"work_order_id": order.id}
        if user:
            vals["responder_ids"] = [fields.Command.link(user.id)]
        if self.state != "dispatched":
            vals.update(state="dispatched", dispatched_at=fields.Datetime.now())
        self._system_write(vals)
        self.message_post(
            body=self.env._(
                "Dispatched: work order %(order)s assigned to %(who)s.",
                order=order.name,
                who=(staff or user or provider).display_name,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return order

    def action_on_site(self):
        self._check_state(("dispatched",), self.env._("Recording arrival on site"))
        self.filtered(lambda a: not a.onsite_at)._system_write(
            {"onsite_at": fields.Datetime.now()}
        )
        return True

    def action_resolve(self):
        self._check_state(("confirmed", "dispatched"), self.env._("Resolving"))
        for alert in self:
            if not (alert.result or "").strip():
                raise UserError(
                    self.env._(
                        "Record the result of alert %(alert)s before resolving it.",
                        alert=alert.name,
                    )
                )
        self._system_write({"state": "resolved", "resolved_at": fields.Datetime.now()})
        self._eldercare_clear_deadline_activities()
        return True

    def action_close(self):
        self._check_state(("resolved",), self.env._("Closing"))
        self._system_write({"state": "closed", "closed_at": fields.Datetime.now()})
        return True

    def action_open_work_orders(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Work Orders"),
            "res_model": "eldercare.work.order",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("alert_id", "=", self.id)],
            "context": {"default_alert_id": self.id, "default_origin": "alert"},
        }
