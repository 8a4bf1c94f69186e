"""Tier "ops": the product's production shape, backups, upgrades, unit files.

Needs a real Odoo 18 and a database with the addons installed, named by the
same variables as the integration tier (`./bin/eldercare test` sets them for
the tier; `./bin/eldercare dev-env` prints them for a developer):
EC_PG_HOST/PORT/USER/PASSWORD, EC_ODOO_CMD, EC_ODOO_ADDONS_PATH,
EC_ODOO_DB_TEMPLATE (every addon installed) and EC_ODOO_DEPS_TEMPLATE (only
their Odoo dependencies, for the upgrade test's old release).
"""

import os
import shlex
import subprocess
import tempfile
import time

import pytest

from tests.tiers import remove_workdir, skip_unless_real_odoo
from tools.ecctl import odoo as odoo_mod
from tools.ecctl import ops


class OdooCmd:
    """What tools.ecctl needs of an Odoo install: its command and version."""

    def __init__(self, cmd):
        self.cmd = cmd
        self.version = "18.0"


class Env:
    def __init__(self, workdir):
        e = os.environ
        self.workdir = workdir
        self.pg = ops.PgServer(
            e["EC_PG_HOST"], e["EC_PG_PORT"], e["EC_PG_USER"], e["EC_PG_PASSWORD"]
        )
        self.odoo = OdooCmd(shlex.split(e["EC_ODOO_CMD"]))
        self.addons_path = e["EC_ODOO_ADDONS_PATH"]
        self.installed_template = e["EC_ODOO_DB_TEMPLATE"]
        self.deps_template = e.get("EC_ODOO_DEPS_TEMPLATE")
        self.created = []

    def new_db(self, tag, template=None):
        name = f"ec_ops_{tag}_{os.getpid()}_{time.monotonic_ns() % 10**6}"
        subprocess.run(
            ["createdb", "-T", template or self.installed_template, name],
            env=self.pg.env(),
            check=True,
            capture_output=True,
            timeout=600,
        )
        self.created.append((self.pg, name))
        return name

    def odoo_args(self, pg=None, data_dir=None, addons_path=None):
        """Where an Odoo run finds its addons, database server and files."""
        pg = pg or self.pg
        return [
            f"--addons-path={addons_path or self.addons_path}",
            "--db_host",
            pg.host,
            "--db_port",
            str(pg.port),
            "--db_user",
            pg.user,
            "--db_password",
            pg.password,
            "--data-dir",
            data_dir or os.path.join(self.workdir, "data"),
        ]

    def shell(self, db, code, values=None, pg=None, data_dir=None):
        return odoo_mod.odoo_shell(
            self.odoo, self.odoo_args(pg, data_dir), db, code, values
        )

    def drop_all(self):
        for pg, name in self.created:
            subprocess.run(
                ["dropdb", "--if-exists", "--force", name],
                env=pg.env(),
                check=False,
                capture_output=True,
            )


@pytest.fixture(scope="session")
def ops_env():
    skip_unless_real_odoo()
    workdir = tempfile.mkdtemp(prefix="ec-ops-")
    os.chmod(workdir, 0o755)
    env = Env(workdir)
    try:
        yield env
    finally:
        env.drop_all()
        remove_workdir(workdir, "ops")
