import logging

from odoo import models

_logger = logging.getLogger(__name__)


class EldercarePbxBridge(models.AbstractModel):
    _inherit = "eldercare.pbx.bridge"

    def _request_from_call(self, option, caller, linkedid, elder):
        """A household service request for the voice-menu key ``option``.

        The key is passed as such: the household service keys are the one
        place that says which service a key orders (the voice-menu option
        shows the same product, computed from them). A failure is logged and
        answers False: the caller is then put through to an operator, who
        takes the order by hand."""
        vals = {
            "caller_number": caller,
            "key": option.digit,
            "linkedid": linkedid,
            "channel": "ivr",
        }
        if elder:
            vals["elder_id"] = elder.id
        try:
            with self.env.cr.savepoint():
                request = self.env[
                    "eldercare.service.request"
                ]._eldercare_create_from_phone([vals])[:1]
                self.env.flush_all()  # as superuser, see _alerts_from_calls
        except Exception:
            _logger.exception("Could not create the service request of %s", linkedid)
            return False
        return request
