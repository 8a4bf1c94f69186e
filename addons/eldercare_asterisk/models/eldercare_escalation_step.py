"""The escalation chain of an unanswered emergency call.

A supervisor lists ordered steps: the operators' emergency queue, the on-call
supervisors (their extensions, else their mobiles through the trunk) or a
backup number (a partner center, the 120 desk), each with how long it rings.
The routing answer hands the chain to the dialplan, which rings the steps one
after the other, over and over, until a person answers; the shipped dialplan
keeps a static copy (``EC_ESC_*`` globals) for when Odoo or the bridge does not
answer. Each step the dialplan starts is written on the alert
(``eldercare.alert.escalation``) and shown in the popup.
"""

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# the chain when a center configured none: the operators' queue, then again
DEFAULT_CHAIN = [{"target": "queue", "seconds": 60, "label": "queue"}]
TRUNK_MARK = "@TRUNK"  # replaced by the dialplan with its trunk endpoint


class EldercareEscalationStep(models.Model):
    _name = "eldercare.escalation.step"
    _description = "Emergency Call Escalation Step"
    _order = "sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    target = fields.Selection(
        [
            ("queue", "Operators' emergency queue"),
            ("on_call", "On-call users (extension, else mobile)"),
            ("number", "Backup number"),
        ],
        required=True,
        default="queue",
    )
    number = fields.Char(
        string="Backup Number",
        help="Dialled through the carrier trunk, e.g. a partner center or the "
        "120 desk.",
    )
    ring_seconds = fields.Integer(
        string="Rings For (s)",
        required=True,
        default=30,
        help="How long this step rings before the next one is tried.",
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    @api.constrains("ring_seconds", "target", "number")
    def _check_step(self):
        for step in self:
            if not 5 <= step.ring_seconds <= 600:
                raise ValidationError(
                    _("An escalation step rings between 5 and 600 seconds.")
                )
            if step.target == "number":
                number = (step.number or "").strip()
                if not number or not number.lstrip("+").isdigit():
                    raise ValidationError(
                        _("A backup number is digits only, e.g. 120 or 01065520000.")
                    )

    @api.model
    def _on_call_dial_string(self):
        users = (
            self.env["res.users"]
            .sudo()
            .search([("eldercare_on_call", "=", True), ("share", "=", False)])
        )
        # desk phones first (they ring at once), mobiles through the trunk after
        phones, mobiles = [], []
        for user in users:
            if user.eldercare_endpoint:
                phones.append(user.eldercare_endpoint)
            elif user.partner_id.mobile:
                number = "".join(c for c in user.partner_id.mobile if c.isdigit())
                if number:
                    mobiles.append(f"PJSIP/{number}{TRUNK_MARK}")
        return "&".join(phones + mobiles)

    @api.model
    def _eldercare_chain(self):
        """The chain as the dialplan needs it: ``[{target, seconds, label}]``,
        ``target`` being "queue" or an Asterisk dial string. Steps that would
        ring nobody (nobody on call) are left out; never empty."""
        chain = []
        for step in self.sudo().search([("company_id", "in", self.env.companies.ids)]):
            if step.target == "queue":
                target = "queue"
            elif step.target == "on_call":
                target = self._on_call_dial_string()
            else:
                target = f"PJSIP/{step.number.strip()}{TRUNK_MARK}"
            if target:
                chain.append(
                    {
                        "target": target,
                        "seconds": step.ring_seconds,
                        "label": step.target,
                    }
                )
        if not any(step["target"] == "queue" for step in chain):
            # the operators' queue is always one of the steps
            chain.insert(0, dict(DEFAULT_CHAIN[0]))
        return chain


class EldercareAlertEscalation(models.Model):
    _name = "eldercare.alert.escalation"
    _description = "Escalation Step of an Alert"
    _order = "started_at, id"

    alert_id = fields.Many2one(
        "eldercare.alert", required=True, ondelete="cascade", index=True
    )
    step = fields.Integer(required=True)
    target = fields.Char(required=True)
    ring_seconds = fields.Integer()
    started_at = fields.Datetime(required=True)
    result = fields.Selection(
        [
            ("ringing", "Ringing"),
            ("no_answer", "Not answered"),
            ("answered", "Answered"),
            ("ended", "Caller hung up"),
        ],
        default="ringing",
        required=True,
    )
