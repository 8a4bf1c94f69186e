from odoo import api, fields, models
from odoo.exceptions import ValidationError


class EldercareServiceKey(models.Model):
    _name = "eldercare.service.key"
    _description = "Phone Service Key"
    _order = "key"
    _rec_names_search = ["key", "product_id"]

    key = fields.Char(
        required=True,
        help="Digits the elder presses on the phone or in the IVR menu (e.g. 3).",
    )
    product_id = fields.Many2one(
        "product.product",
        string="Service",
        required=True,
        domain="[('is_eldercare_service', '=', True)]",
        ondelete="restrict",
    )
    active = fields.Boolean(default=True)
    note = fields.Char(help="Shown to operators, e.g. what the IVR prompt says.")

    _sql_constraints = [
        ("key_unique", "unique(key)", "Each phone key can be used only once."),
    ]

    @api.depends("key", "product_id")
    def _compute_display_name(self):
        for rec in self:
            rec.display_name = f"{rec.key} - {rec.product_id.display_name or ''}"

    @api.constrains("key")
    def _check_key(self):
        for rec in self:
            if not (rec.key or "").isdigit():
                raise ValidationError(
                    self.env._(
                        "The phone key must contain digits only (got %(key)s).",
                        key=rec.key,
                    )
                )

    @api.model
    def _get_product_for_key(self, key):
        """Return the service product mapped to ``key`` (empty recordset if none).

        Never raises on garbage input (None, spaces, ``*``...).
        """
        key = str(key or "").strip()
        if not key or not key.isdigit():
            return self.env["product.product"]
        rec = self.sudo().search([("key", "=", key)], limit=1)
        return rec.product_id
