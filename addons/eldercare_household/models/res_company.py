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
    eldercare_coordinator_ids = fields.Many2many(
        "res.users",
        "eldercare_household_coordinator_rel",
        "company_id",
        "user_id",
        string="Household Coordinators",
        domain="[('share', '=', False)]",
        help="Receive the household requests made by phone, the least busy "
        "first. When empty, every operator of the company takes part.",
    )
