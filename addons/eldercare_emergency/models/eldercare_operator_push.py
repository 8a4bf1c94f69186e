from collections import defaultdict

from odoo import models


class EldercareOperatorPushMixin(models.AbstractModel):
    """Push something about a record to operators' browsers, each in their
    own language and only to the users of the record's company. Used by the
    alert (popup, dashboard updates) and the call log (call popup)."""

    _name = "eldercare.operator.push.mixin"
    _description = "Eldercare: push to operators' browsers"

    def _users_by_lang(self, users):
        by_lang = defaultdict(lambda: self.env["res.users"].sudo())
        for user in users.sudo():
            by_lang[user.lang or "en_US"] |= user
        return by_lang.items()

    def _eldercare_bus_push(self, users, notification_type, payload_fn):
        """Send ``payload_fn(record)`` to the ``users`` of each record's
        company (all of them for a record without a company).

        The payload is built once per language of the recipients."""
        for lang, lang_users in self._users_by_lang(users):
            for record in self.with_context(lang=lang):
                company = "company_id" in record._fields and record.company_id
                recipients = lang_users.filtered(
                    lambda u, c=company: not c or c in u.company_ids
                )
                if recipients:
                    recipients._bus_send(notification_type, payload_fn(record))
