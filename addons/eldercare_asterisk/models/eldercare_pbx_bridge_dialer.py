from odoo import api, models


class EldercarePbxBridge(models.AbstractModel):
    _inherit = "eldercare.pbx.bridge"

    @api.model
    def dial_sync(self, reports, active_ids, accept=True):
        """The bridge's dialer, about twice a second: ``reports`` (what
        happened to its calls: ``{"id", "event": "answered"|"ended",
        "result", "digit", "error"}``) and ``active_ids`` (the requests it is
        placing) in; ``{"dial": [requests to originate], "hangup":
        [linkedids], "max_channels": n}`` out; ``accept`` false (its AMI link
        is down) takes no new call. One transaction: the next
        call of a cascade leaves in the same answer that ended the last one."""
        self = self._check_bridge_access()
        return self.env["eldercare.dial.request"]._dialer_sync(
            reports or [], active_ids or [], accept=accept
        )
