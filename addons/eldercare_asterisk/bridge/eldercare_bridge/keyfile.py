"""The bridge's Odoo key read from a file, and read again when it changes.

With ``EC_ODOO_PASSWORD_FILE`` set, the bridge takes its API key from the
first line of that file (not from ``EC_ODOO_PASSWORD``) and checks the file
every ``EC_ODOO_PASSWORD_CHECK`` seconds (2 by default): a new content is used
from the next Odoo call on, without a restart. Key rotation in Odoo
(Telephony > Bridge API Key > Rotate the Key) revokes the old key at once;
the bridge is back as soon as the new key is written into the file.
"""

import asyncio
import logging

_logger = logging.getLogger("eldercare_bridge.keyfile")


def read_key(path):
    """First line of the key file, stripped ("" when unreadable or empty)."""
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.readline().strip()
    except OSError as exc:
        _logger.error("bridge key file %s unreadable (%s)", path, exc)
        return ""


class KeyFile:
    def __init__(self, rpc, path, interval=2.0):
        self.rpc = rpc
        self.path = path
        self.interval = interval
        self.changes = 0
        self._task = None

    def load(self):
        """Use the file's key now; True when it changed the key in use."""
        if not self.path:
            return False
        key = read_key(self.path)
        if not key or key == self.rpc.password:
            return False
        self.rpc.password = key
        self.rpc.uid = None  # log in again with the new key
        self.changes += 1
        _logger.info("bridge key read from %s", self.path)
        return True

    async def run(self):
        while True:
            await asyncio.sleep(self.interval)
            self.load()

    def start(self):
        if not self.path:
            return None
        self._task = asyncio.get_running_loop().create_task(self.run(), name="keyfile")
        return self._task
