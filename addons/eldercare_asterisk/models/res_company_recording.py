from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    eldercare_recording_retention_days = fields.Integer(
        string="Keep Call Recordings (days)",
        default=365,
        help="Recordings of emergency and service calls older than this are "
        "deleted every night. 0 keeps them forever.",
    )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    eldercare_recording_retention_days = fields.Integer(
        related="company_id.eldercare_recording_retention_days", readonly=False
    )
