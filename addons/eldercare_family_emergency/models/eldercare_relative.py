from markupsafe import Markup

from odoo import _, models


class EldercareRelative(models.Model):
    _inherit = "eldercare.relative"

    def _eldercare_portal_accept_callout(self, alert):
        """Hook: the relative ``self`` accepted, from the family portal, to go
        to the elder of ``alert`` (an open alert of their own elder; the
        portal route checked it). The responder cascade overrides this to
        stop calling the next contacts; here the acceptance is written on the
        alert's chatter so the operator sees it. Returns True."""
        self.ensure_one()
        relations = dict(self._fields["relation"]._description_selection(self.env))
        alert.sudo().message_post(
            body=Markup("%s")
            % _(
                "%(name)s (%(relation)s) accepted the call-out from the family "
                "portal and is on the way.",
                name=self.name,
                relation=relations.get(self.relation, self.relation),
            ),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        return True
