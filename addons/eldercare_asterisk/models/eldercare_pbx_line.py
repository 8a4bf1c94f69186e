import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.eldercare_base.tools import count_into

DID_RE = re.compile(r"^\+?[0-9*#]{1,32}$")


class EldercarePbxLine(models.Model):
    _name = "eldercare.pbx.line"
    _inherit = ["eldercare.bridge.config.mixin"]
    _description = "Telephone Line (DID)"
    _order = "line_type, number"

    name = fields.Char(required=True, translate=True)
    number = fields.Char(
        required=True,
        help="The number Asterisk sees as the dialled number (DID / extension of "
        "the inbound context), e.g. 8001.",
    )
    line_type = fields.Selection(
        [("emergency", "Emergency line"), ("service", "Service line")],
        string="Type",
        required=True,
        default="service",
        help="Emergency lines are called only by the one-key emergency phones: every "
        "call raises an alert and goes to the emergency queue. Service lines (hotline) "
        "lead to the voice menu (IVR).",
    )
    active = fields.Boolean(default=True)
    note = fields.Text()
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    call_count = fields.Integer(compute="_compute_call_count")

    _sql_constraints = [
        (
            "number_uniq",
            "unique(number)",
            "This number is already configured as a line.",
        ),
    ]

    def _compute_call_count(self):
        count_into(self, "call_count", "eldercare.call", "line_id")

    @api.constrains("number")
    def _check_number(self):
        for line in self:
            if not DID_RE.match(line.number or ""):
                raise ValidationError(
                    _(
                        "The line number %(number)s is not valid: use digits only "
                        "(an optional leading + is allowed), as Asterisk dials it.",
                        number=line.number,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("number"):
                vals["number"] = vals["number"].strip().replace(" ", "")
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("number"):
            vals["number"] = vals["number"].strip().replace(" ", "")
        return super().write(vals)

    def action_view_calls(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "eldercare_asterisk.eldercare_call_action"
        )
        action["domain"] = [("line_id", "=", self.id)]
        action["context"] = {}
        return action
