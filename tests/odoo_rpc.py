"""The real Odoo that the integration and ops tiers run against: the variables
that name it (`./bin/eldercare dev-env` prints them, `./bin/eldercare test`
sets them for its tiers) and one JSON-RPC ``execute_kw`` call."""

import json
import os
import urllib.request

import pytest

ODOO_ENV = (
    "EC_PG_HOST",
    "EC_PG_PORT",
    "EC_PG_USER",
    "EC_PG_PASSWORD",
    "EC_ODOO_CMD",
    "EC_ODOO_ADDONS_PATH",
    "EC_ODOO_DB_TEMPLATE",
)


def missing_odoo_env():
    return [v for v in ODOO_ENV if not os.environ.get(v)]


def skip_unless_real_odoo(asterisk=False):
    """Skip the calling test or fixture unless a real Odoo is configured and,
    with ``asterisk``, a real Asterisk can run (it needs root for its chroot)."""
    missing = missing_odoo_env()
    if missing:
        pytest.skip(
            "real Odoo not configured: set "
            + ", ".join(missing)
            + " (./bin/eldercare dev-env prints them)"
        )
    if asterisk and os.geteuid() != 0:
        pytest.skip("real Asterisk needs root (chroot)")


def execute_kw(
    url, db, uid, password, model, method, args=(), kwargs=None, timeout=120
):
    """One JSON-RPC ``execute_kw`` call as user ``uid``; Odoo's error fails the test."""
    body = {
        "jsonrpc": "2.0",
        "method": "call",
        "params": {
            "service": "object",
            "method": "execute_kw",
            "args": [db, uid, password, model, method, list(args), kwargs or {}],
        },
    }
    req = urllib.request.Request(
        url + "/jsonrpc",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        reply = json.load(resp)
    assert "error" not in reply, reply["error"]
    return reply["result"]
