from odoo import fields, models, tools

AGE_BANDS = [
    ("lt60", "Under 60"),
    ("60_69", "60-69"),
    ("70_79", "70-79"),
    ("80_89", "80-89"),
    ("90p", "90 and over"),
    ("unknown", "Unknown"),
]


class EldercareElderReport(models.Model):
    """Elders by category, community, age band and certification (SQL view)."""

    _name = "eldercare.elder.report"
    _description = "Elders Analysis"
    _auto = False
    _order = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Elder", readonly=True)
    elder_category_id = fields.Many2one("eldercare.elder.category", readonly=True)
    community_id = fields.Many2one("eldercare.area", readonly=True)
    age_band = fields.Selection(AGE_BANDS, readonly=True)
    certified = fields.Boolean(readonly=True)
    elder_gender = fields.Selection(
        [("male", "Male"), ("female", "Female")], string="Gender", readonly=True
    )
    company_id = fields.Many2one("res.company", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                SELECT p.id AS id,
                       p.id AS partner_id,
                       p.elder_category_id,
                       p.community_id,
                       COALESCE(p.certified, FALSE) AS certified,
                       p.elder_gender,
                       p.company_id,
                       CASE
                           WHEN p.birthdate IS NULL THEN 'unknown'
                           WHEN date_part('year', age(current_date, p.birthdate)) < 60
                               THEN 'lt60'
                           WHEN date_part('year', age(current_date, p.birthdate)) < 70
                               THEN '60_69'
                           WHEN date_part('year', age(current_date, p.birthdate)) < 80
                               THEN '70_79'
                           WHEN date_part('year', age(current_date, p.birthdate)) < 90
                               THEN '80_89'
                           ELSE '90p'
                       END AS age_band
                  FROM res_partner p
                 WHERE p.is_elder IS TRUE AND p.active IS TRUE
            )
            """
        )
