from odoo import api, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model
    def _cron_eldercare_care_reminders(self, date=None):
        """Besides the workers' activities: today's birthday greeting calls
        and tomorrow's service reminder calls."""
        res = super()._cron_eldercare_care_reminders(date=date)
        self.env["eldercare.care.call"]._eldercare_schedule_reminders(date=date)
        return res
