from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    eldercare_satisfaction_user_id = fields.Many2one(
        "res.users",
        string="Satisfaction Follow-up Responsible",
        help="Receives the follow-up activity when an elder rates a household "
        "service 2 or less. When empty, the first eldercare supervisor gets it.",
        domain="[('share', '=', False)]",
    )
