from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

# a simulated call is a training call: never longer than this
MAX_SIMULATED_SECONDS = 600


class EldercareCallSimulate(models.TransientModel):
    _name = "eldercare.call.simulate"
    _description = "Simulate a Call"

    line_id = fields.Many2one(
        "eldercare.pbx.line",
        required=True,
        default=lambda self: self.env["eldercare.pbx.line"].search(
            [("line_type", "=", "emergency")], limit=1
        ),
    )
    line_type = fields.Selection(related="line_id.line_type")
    elder_id = fields.Many2one(
        "res.partner",
        domain=[("is_elder", "=", True)],
        help="Pretend this elder calls: the caller number is taken from the elder's "
        "phones.",
    )
    caller_number = fields.Char(
        compute="_compute_caller_number",
        store=True,
        readonly=False,
        help="Leave empty to simulate an unknown / hidden caller.",
    )
    caller_name = fields.Char(
        compute="_compute_caller_number", store=True, readonly=False
    )
    wait_seconds = fields.Integer(
        "Keep the Call up (s)",
        default=120,
        help="The simulated caller stays silent on the line this long (10 to 600 "
        "seconds).",
    )

    @api.constrains("wait_seconds")
    def _check_wait_seconds(self):
        for wizard in self:
            if not 10 <= (wizard.wait_seconds or 0) <= MAX_SIMULATED_SECONDS:
                raise ValidationError(
                    _("A simulated call lasts between 10 and 600 seconds.")
                )

    @api.depends("elder_id")
    def _compute_caller_number(self):
        for wizard in self:
            elder = wizard.elder_id
            if not elder:
                continue
            phones = elder.elder_phone_ids.filtered("active")
            button = phones.filtered(lambda p: p.phone_type == "emergency_button")
            wizard.caller_number = (
                (button or phones)[:1].number or elder.mobile or elder.home_phone
            )
            wizard.caller_name = elder.name

    def action_simulate(self):
        self.ensure_one()
        if not self.env.user.has_group("eldercare_base.group_eldercare_supervisor"):
            # places a real call into the lines: supervisors (trainers) only
            raise AccessError(_("Only supervisors and trainers may simulate a call."))
        call = self.env["eldercare.pbx"].simulate_call(
            self.line_id.number,
            self.caller_number or "",
            caller_name=self.caller_name or "",
            wait_seconds=max(10, min(self.wait_seconds or 120, MAX_SIMULATED_SECONDS)),
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": _("Simulated call placed"),
                "message": _(
                    "%(caller)s is calling line %(line)s. Watch the queue: an "
                    "operator's phone rings and the elder file pops up.",
                    caller=self.caller_name or self.caller_number or _("Unknown"),
                    line=self.line_id.display_name,
                ),
                "next": {
                    "type": "ir.actions.act_window",
                    "res_model": "eldercare.call",
                    "res_id": call.id,
                    "views": [(False, "form")],
                    "target": "current",
                },
            },
        }
