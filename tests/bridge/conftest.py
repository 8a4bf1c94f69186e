"""Tier "python": the bridge without Asterisk and without Odoo."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
for path in (HERE, os.path.join(REPO, "addons", "eldercare_asterisk", "bridge")):
    if path not in sys.path:
        sys.path.insert(0, path)
