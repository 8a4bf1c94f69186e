from odoo import fields, models

EVIDENCE_LABEL = "By Evidence (photo, times and the elder's PIN or signature)"


class ProductTemplate(models.Model):
    _inherit = "product.template"  # pylint: disable=consider-merging-classes-inherited

    # the elder's signature is evidence too (selection_add relabels the option)
    eldercare_verification = fields.Selection(
        selection_add=[("evidence", EVIDENCE_LABEL)],
        help="How a work order the provider reports as done becomes verified "
        "(only verified orders are billed): a coordinator checks it; the elder "
        "confirms it (satisfaction survey or call-back); or the provider's "
        "evidence (a photo, the start and end times, and the elder's service PIN "
        "or the elder's signature on the provider's device) verifies it at once.",
    )
