"""Browser tier, production shape: Odoo's tours driven in chromium against
Odoo with HTTP workers, a cron worker and the gevent websocket behind nginx
(tools/ecctl/server.py), on a copy of the installed test database."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
for path in (HERE, os.path.join(REPO, "tests", "integration")):
    if path not in sys.path:
        sys.path.insert(0, path)

# collected by the browser tier only (it sets EC_TOURS_PROD=1): the python
# tier's "pytest tests" must not start Odoo and chromium
if not os.environ.get("EC_TOURS_PROD"):
    collect_ignore_glob = ["test_*.py"]
