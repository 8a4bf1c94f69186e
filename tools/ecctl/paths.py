"""Where things live: the project root, its addons and its runtime folder var/."""

import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ADDONS_DIR = os.path.join(ROOT, "addons")
VAR = os.environ.get("EC_VAR_DIR") or os.path.join(ROOT, "var")
LOG_DIR = os.path.join(VAR, "log")
CACHE_DIR = os.environ.get("EC_CACHE_DIR") or os.path.join(
    os.path.expanduser("~"), ".cache", "eldercare"
)
