import logging

from odoo import models

_logger = logging.getLogger(__name__)


class EldercarePbxBridge(models.AbstractModel):
    _inherit = "eldercare.pbx.bridge"

    def _statement_say(self, elder):
        """The amount ``elder`` owes this month so far, as the voice menu
        reads it (``"173.67"``). While pricing problems keep the running total
        from being complete (``complete`` False: the month end would refuse
        this elder), or when it cannot be read, no figure is read out: ``""``
        plays "your statement is being checked" instead of a wrong amount."""
        try:
            total = self.env["eldercare.statement"]._running_total(elder)
        except Exception:
            _logger.exception("Could not read the statement of elder %s", elder.id)
            return ""
        if not total.get("complete", True):
            _logger.info(
                "Statement of elder %s not read out: %d pricing problem(s)",
                elder.id,
                len(total.get("problems") or ()),
            )
            return ""
        amount = total.get("amount_elder")
        if amount is None:
            amount = total.get("amount_total") or 0.0
        return f"{amount:.2f}"
