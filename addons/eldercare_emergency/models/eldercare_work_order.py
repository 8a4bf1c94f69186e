from odoo import fields, models


class EldercareWorkOrder(models.Model):
    _inherit = "eldercare.work.order"

    alert_id = fields.Many2one(
        "eldercare.alert",
        index="btree_not_null",
        tracking=True,
        groups="eldercare_base.group_eldercare_operator,"
        "eldercare_base.group_eldercare_worker",
    )

    def write(self, vals):
        res = super().write(vals)
        if vals.get("state") == "in_progress":
            # the responder started working at the elder's home: on site
            alerts = self.sudo().alert_id.filtered(
                lambda a: a.state == "dispatched" and not a.onsite_at
            )
            if alerts:
                alerts.write({"onsite_at": fields.Datetime.now()})
        return res
