from markupsafe import Markup

from odoo import _, api, fields, models


class EldercareHealthCondition(models.Model):
    _name = "eldercare.health.condition"
    _description = "Health Condition"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    color = fields.Integer()
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_uniq", "unique(name)", "This health condition already exists."),
    ]


class EldercareMedicine(models.Model):
    """A regular medicine of an elder (health data: care roles only)."""

    _name = "eldercare.medicine"
    _description = "Elder Regular Medicine"
    _order = "partner_id, sequence, id"

    sequence = fields.Integer(default=10)
    partner_id = fields.Many2one(
        "res.partner",
        string="Elder",
        required=True,
        index=True,
        ondelete="cascade",
    )
    name = fields.Char(string="Medicine", required=True)
    dose = fields.Char(help="e.g. 5 mg, 1 tablet")
    schedule = fields.Char(help="e.g. twice a day after meals")
    note = fields.Char()

    def _log_on_elder(self, verb):
        for medicine in self:
            body = Markup("%s: <b>%s</b> %s %s") % (
                verb,
                medicine.name,
                medicine.dose or "",
                medicine.schedule or "",
            )
            # health history: an internal subtype that only care roles read
            medicine.partner_id.sudo().message_post(
                body=body,
                message_type="comment",
                subtype_xmlid="eldercare_base.mt_elder_health",
            )

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        if not self.env.context.get("tracking_disable"):
            records._log_on_elder(_("Medicine added"))
        return records

    def write(self, vals):
        res = super().write(vals)
        if not self.env.context.get("tracking_disable") and {
            "name",
            "dose",
            "schedule",
        } & set(vals):
            self._log_on_elder(_("Medicine changed"))
        return res

    def unlink(self):
        if not self.env.context.get("tracking_disable"):
            self._log_on_elder(_("Medicine removed"))
        return super().unlink()
