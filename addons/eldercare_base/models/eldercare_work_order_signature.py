from odoo import _, fields, models


class EldercareWorkOrder(models.Model):
    _inherit = "eldercare.work.order"

    evidence_signature = fields.Image(
        string="Elder's Signature",
        copy=False,
        readonly=True,
        attachment=True,
        max_width=1024,
        max_height=1024,
        help="Drawn by the elder on the provider's device when the work was done.",
    )
    evidence_signed_by = fields.Char(
        string="Signed By",
        copy=False,
        readonly=True,
        help="Name the signer typed under the signature.",
    )
    evidence_signed_on = fields.Datetime(string="Signed On", copy=False, readonly=True)

    def _eldercare_evidence_missing(self):
        """The elder's signature stands for the PIN: either one is evidence that
        the elder was there."""
        missing = super()._eldercare_evidence_missing()
        pin_missing = _("the elder's PIN")
        if pin_missing not in missing:
            return missing
        if self.evidence_signature:
            return [item for item in missing if item != pin_missing]
        return [
            _("the elder's PIN or signature") if item == pin_missing else item
            for item in missing
        ]

    def _eldercare_store_signature(self, name, signature):
        """Keep the elder's signature (base64 image) as evidence on the order.

        Written as the center: providers reach it only through the portal step
        that checks the order's state first."""
        self.ensure_one()
        self._eldercare_write_as_center(
            {
                "evidence_signature": signature,
                "evidence_signed_by": name,
                "evidence_signed_on": fields.Datetime.now(),
            }
        )
        return True
