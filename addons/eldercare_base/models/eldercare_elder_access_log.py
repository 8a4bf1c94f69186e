from datetime import timedelta

from odoo import api, fields, models

DEDUP_MINUTES = 5


class EldercareElderAccessLog(models.Model):
    """Who opened which elder's file, and when (care records require it)."""

    _name = "eldercare.elder.access.log"
    _description = "Elder File Access Log"
    _order = "date desc, id desc"
    _log_access = False

    elder_id = fields.Many2one(
        "res.partner", required=True, index=True, ondelete="cascade"
    )
    user_id = fields.Many2one(
        "res.users", string="Opened By", required=True, index=True, ondelete="cascade"
    )
    date = fields.Datetime(
        string="Opened On", required=True, default=fields.Datetime.now, index=True
    )
    community_id = fields.Many2one(related="elder_id.community_id", store=True)

    @api.model
    def _log_open(self, elder):
        """Record that the current user opened ``elder``'s file; a reopening
        by the same user within a few minutes (save, reload) is one visit."""
        return self.sudo()._log_open_in(elder.id, self.env.uid)

    @api.model
    def _log_open_in(self, elder_id, user_id):
        since = fields.Datetime.now() - timedelta(minutes=DEDUP_MINUTES)
        if self.search_count(
            [
                ("elder_id", "=", elder_id),
                ("user_id", "=", user_id),
                ("date", ">=", since),
            ],
            limit=1,
        ):
            return self.browse()
        return self.create({"elder_id": elder_id, "user_id": user_id})
