"""The data of the HttpCase tours, committed on the database copy that the
production-shaped Odoo serves (run inside ``odoo shell``, before the server
starts, so no worker holds a stale cache).

Each tour's HttpCase starter (``addons/*/tests/test_*tour*.py``) builds its
records in ``setUpClass``; here the same ``setUpClass`` runs on a real
environment instead of a test transaction: the test-case machinery
(registry test mode, the rollback at the end, the HTTP test server) is
replaced by "use this environment", and the records are committed. One
definition of each tour's data serves both shapes.

Prints one line ``EC_TOUR_DATA {json}``: per starter, the ids of the records
it kept on the class (``order``, ``elder``...) and its string attributes
(``relative_login``), or the traceback if its data could not be built (that
tour fails with it; the others still run).
"""

import importlib
import json
import traceback
from unittest import mock

MARKER = "EC_TOUR_DATA "


def _kept(klass):
    """What a starter's setUpClass kept on the class, as JSON."""
    from odoo.models import BaseModel

    kept = {}
    for name, value in vars(klass).items():
        if isinstance(value, BaseModel) and len(value) == 1:
            kept[name] = value.id
        elif isinstance(value, str) and not name.startswith("_"):
            kept[name] = value
    return kept


def prepare(env, starters):
    """Run each starter's ``setUpClass`` on ``env`` (a savepoint each) and
    commit; ``starters`` are ``"<addon>.tests.<module>.<Class>"``."""
    # (odoo is importable in ``odoo shell`` only: the runner imports MARKER)
    from odoo.tests import common

    # a test case's environment: superuser, empty context
    test_env = env(context={})

    def use_env(cls):
        cls.env = test_env
        cls.cr = test_env.cr
        cls.registry = test_env.registry

    def http_case(cls):  # HttpCase minus the test server and test mode
        super(common.HttpCase, cls).setUpClass()

    out = {}
    with (
        mock.patch.object(common.TransactionCase, "setUpClass", classmethod(use_env)),
        mock.patch.object(common.HttpCase, "setUpClass", classmethod(http_case)),
    ):
        for starter in starters:
            module, name = starter.rsplit(".", 1)
            base = getattr(importlib.import_module(f"odoo.addons.{module}"), name)
            # a subclass: what setUpClass stores stays off the real test class
            klass = type(name, (base,), {})
            try:
                with env.cr.savepoint():
                    klass.setUpClass()
                    test_env.flush_all()
                out[starter] = _kept(klass)
            except Exception:  # reported to the runner: that tour fails with it
                out[starter] = {"error": traceback.format_exc()}
            finally:
                klass.doClassCleanups()
                test_env.invalidate_all()
    env.cr.commit()
    print(MARKER + json.dumps(out), flush=True)
