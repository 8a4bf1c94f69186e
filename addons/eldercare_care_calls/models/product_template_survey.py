from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ProductTemplate(models.Model):
    _inherit = "product.template"

    eldercare_survey_call = fields.Selection(
        [
            ("done", "When Reported Done"),
            ("verified", "When Verified"),
            ("none", "No Survey Call"),
        ],
        string="Satisfaction Survey Call",
        default="done",
        required=True,
        help="When the elder is called to rate a work order of this service "
        "(1 to 5 on the phone keys). Orders verified by the elder's answer are "
        "surveyed when the provider reports them done: the answer verifies them.",
    )

    @api.constrains("eldercare_survey_call", "eldercare_verification")
    def _check_eldercare_survey_call(self):
        for template in self:
            if (
                template.eldercare_verification == "survey"
                and template.eldercare_survey_call == "verified"
            ):
                raise ValidationError(
                    _(
                        "%(item)s is verified by the elder's answer: its survey "
                        "call must be made when the work is reported done (or "
                        "not at all), not after the verification.",
                        item=template.display_name,
                    )
                )
