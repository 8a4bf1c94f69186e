from odoo import models
from odoo.exceptions import UserError


class EldercareWorkOrder(models.Model):
    _inherit = "eldercare.work.order"  # pylint: disable=consider-merging-classes-inherited

    def _eldercare_portal_values(self):
        values = super()._eldercare_portal_values()
        values.update(
            asks_signature=values["can_finish"]
            and self.verification_method == "evidence",
            signed_by=self.evidence_signed_by or "",
            signed=bool(self.evidence_signature),
            elder_first_name=self.elder_id.name or "",
        )
        return values

    def _eldercare_portal_sign(self, name, signature):
        """The elder signs on the provider's device before the order is
        finished: the signature is evidence that the elder was there, like the
        service PIN."""
        self._eldercare_check_portal_action("finish")
        name = (name or "").strip()
        if not name:
            raise UserError(self.env._("Please let the elder type their name."))
        if not signature:
            raise UserError(
                self.env._("The signature is missing: ask the elder to sign.")
            )
        self._eldercare_store_signature(name, signature)
        self.sudo().message_post(
            body=self.env._("Signed by %(name)s.", name=name),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        return True
