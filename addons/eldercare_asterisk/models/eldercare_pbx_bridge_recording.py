"""Bridge API: the finished recordings of calls (see eldercare_call_recording)."""

import base64
import binascii
import logging
import re

from odoo import api, models

from .eldercare_pbx_wire import _parse_ts

_logger = logging.getLogger(__name__)

FILENAME_RE = re.compile(r"^[0-9A-Za-z._-]{1,120}\.wav$")


class EldercarePbxBridge(models.AbstractModel):
    _inherit = "eldercare.pbx.bridge"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def recordings_done(self, items):
        """Store finished call recordings. ``items``: dicts with linkedid,
        filename, duration (s), recorded_at (UTC), data (base64 WAV).
        Returns the filenames stored (or already stored: idempotent); the
        bridge deletes only those and retries the others."""
        self = self._check_bridge_access()
        Recording = self.env["eldercare.call.recording"]
        valid = []
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            filename = str(item.get("filename") or "")
            if not FILENAME_RE.match(filename):
                _logger.warning("recording with a bad file name %r refused", filename)
                continue
            try:
                raw = base64.b64decode(item.get("data") or "", validate=True)
            except (binascii.Error, ValueError):
                _logger.warning("recording %s: data is not base64", filename)
                continue
            if not raw.startswith(b"RIFF"):
                _logger.warning("recording %s is not a WAV file", filename)
                continue
            valid.append((filename, item))
        if not valid:
            return []
        names = [filename for filename, _item in valid]
        known = set(Recording.search([("name", "in", names)]).mapped("name"))
        vals_list = []
        for filename, item in valid:
            if filename in known:
                continue
            known.add(filename)
            try:
                duration = max(0.0, float(item.get("duration") or 0.0))
            except (TypeError, ValueError):
                duration = 0.0
            vals_list.append(
                {
                    "name": filename,
                    "linkedid": str(item.get("linkedid") or filename[:-4])[:64],
                    "recorded_at": _parse_ts(item.get("recorded_at")),
                    "duration": duration,
                    "audio": item.get("data"),
                    "audio_filename": filename,
                }
            )
        recordings = Recording.create(vals_list)
        # served as audio to the browser's player (guessed as octet-stream)
        self.env["ir.attachment"].search(
            [
                ("res_model", "=", recordings._name),
                ("res_field", "=", "audio"),
                ("res_id", "in", recordings.ids),
            ]
        ).write({"mimetype": "audio/wav"})
        recordings._eldercare_link_calls()
        return names
