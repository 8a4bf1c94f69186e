from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

VERIFICATION_METHODS = [
    ("coordinator", "By a Coordinator"),
    ("survey", "By the Elder's Answer (survey or call-back)"),
    ("evidence", "By Evidence (photo, times and the elder's PIN)"),
]


class ProductTemplate(models.Model):
    _inherit = "product.template"

    is_eldercare_service = fields.Boolean(
        string="Eldercare Service",
        help="Offered to elders through contracted providers (work orders).",
    )
    eldercare_accept_hours = fields.Float(
        string="Hours to Accept",
        default=4.0,
        help="A provider must accept a work order of this service within these "
        "hours of its assignment; later the coordinator is warned, and after "
        "twice this time the order goes to the next provider.",
    )
    eldercare_start_hours = fields.Float(
        string="Hours to Start",
        default=1.0,
        help="The work must be started at most these hours after the scheduled "
        "time; later the coordinator is warned, and after twice this time the "
        "supervisor is asked to step in.",
    )
    eldercare_max_quantity = fields.Float(
        string="Maximum per Visit",
        default=10.0,
        help="Highest quantity a provider may report for one visit (a contract "
        "line may set its own maximum).",
    )
    eldercare_verification = fields.Selection(
        VERIFICATION_METHODS,
        string="Verification",
        default="coordinator",
        required=True,
        help="How a work order the provider reports as done becomes verified "
        "(only verified orders are billed): a coordinator checks it; the elder "
        "confirms it (satisfaction survey or call-back); or the provider's "
        "evidence (a photo, the start and end times and the elder's service PIN) "
        "verifies it at once.",
    )

    @api.constrains(
        "eldercare_accept_hours", "eldercare_start_hours", "eldercare_max_quantity"
    )
    def _check_eldercare_dispatch_settings(self):
        for template in self:
            if template.eldercare_accept_hours <= 0 or (
                template.eldercare_start_hours <= 0
            ):
                raise ValidationError(
                    _(
                        "The hours to accept and to start of %(item)s must be more "
                        "than zero.",
                        item=template.display_name,
                    )
                )
            if template.eldercare_max_quantity <= 0:
                raise ValidationError(
                    _(
                        "The maximum per visit of %(item)s must be more than zero.",
                        item=template.display_name,
                    )
                )
