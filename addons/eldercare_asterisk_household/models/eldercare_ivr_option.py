from odoo import api, models


class EldercareIvrOption(models.Model):
    _inherit = "eldercare.ivr.option"

    @api.depends("digit", "action")
    def _compute_product_id(self):
        """The service of a "household service" key is the one its household
        service key (Household Services > Configuration > Service keys)
        orders: one search for all the options."""
        service_keys = (
            self.env["eldercare.service.key"]
            .sudo()
            .search([("key", "in", [d for d in self.mapped("digit") if d])])
        )
        products = {key.key: key.product_id for key in service_keys}
        for option in self:
            if option.action == "service":
                option.product_id = products.get(option.digit, False)
            else:
                option.product_id = False
