from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class EldercareIvrOption(models.Model):
    _name = "eldercare.ivr.option"
    _inherit = ["eldercare.bridge.config.mixin"]
    _description = "Voice Menu (IVR) Option"
    _order = "sequence, digit"

    sequence = fields.Integer(default=10)
    digit = fields.Char(
        required=True,
        size=1,
        help="The key the caller presses: 0-9, * or #.",
    )
    name = fields.Char(required=True, translate=True)
    action = fields.Selection(
        [
            ("emergency", "Emergency (raise an alert)"),
            ("service", "Household service request"),
            ("statement", "Statement: read back the amount due"),
            ("operator", "Talk to an operator"),
        ],
        required=True,
        default="operator",
    )
    product_id = fields.Many2one(
        "product.product",
        string="Service",
        compute="_compute_product_id",
        help="Service requested by this key: it comes from the service keys of "
        "Household Services (Configuration > Service keys) when that module is "
        "installed.",
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    _sql_constraints = [
        (
            "digit_company_uniq",
            "unique(digit, company_id)",
            "Each key can have only one action in the voice menu.",
        ),
    ]

    @api.depends("digit", "action")
    def _compute_product_id(self):
        # the service of a key is defined by household services' service keys
        # (eldercare_asterisk_household); without them a key orders nothing
        self.product_id = False

    @api.constrains("digit")
    def _check_digit(self):
        for option in self:
            if not option.digit or option.digit not in "0123456789*#":
                raise ValidationError(
                    _("The key of a voice menu option must be one of 0-9, * or #.")
                )
