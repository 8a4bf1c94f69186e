"""Shared by the integration and ops tiers: the real Odoo they run against
(the variables that name it: `./bin/eldercare dev-env` prints them,
`./bin/eldercare test` sets them for its tiers), one JSON-RPC ``execute_kw``
call, and their work directories."""

import json
import os
import shutil
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


def remove_workdir(workdir, tier="integration"):
    """Remove a tier's work directory, or keep it (and say where) when
    EC_KEEP_LOGS is set."""
    if os.environ.get("EC_KEEP_LOGS"):
        print(f"{tier} logs kept in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
