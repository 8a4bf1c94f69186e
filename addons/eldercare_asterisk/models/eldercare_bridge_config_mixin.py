from odoo import api, models


class EldercareBridgeConfigMixin(models.AbstractModel):
    """Records the bridge API caches (``eldercare.pbx.bridge.
    _bridge_config_cached``: lines, voice menu, operators' phones): any
    change clears the cache, so the next call is routed on the new data."""

    _name = "eldercare.bridge.config.mixin"
    _description = "Eldercare: part of the telephony bridge's configuration"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        res = super().write(vals)
        self.env.registry.clear_cache()
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()
        return res
