from odoo import fields, models


class EldercareElderCategory(models.Model):
    _name = "eldercare.elder.category"
    _description = "Elder Category"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
    color = fields.Integer()

    _sql_constraints = [
        ("code_uniq", "unique(code)", "The category code must be unique."),
    ]
