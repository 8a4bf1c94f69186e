"""Backups, restores and upgrades of a center's database.

A backup is a folder:

    manifest.json     database name, time, Odoo version, the installed addons
                      with their versions, the source commit, row counts
    db.dump           pg_dump --format=custom (pg_restore reads it)
    filestore.tar.gz  the database's filestore (attachments stored as files)

`restore` puts one back onto a PostgreSQL that does not have the database
yet (an empty cluster on a new machine), `upgrade` runs Odoo's update of the
addons (`-u`) on an existing database and installs the addons this release
added. The functions take a PostgreSQL connection (anything with `env()`
giving PGHOST/PGPORT/PGUSER/PGPASSWORD, e.g. pg.Cluster or PgServer) so the
tests run them against throwaway clusters.
"""

import configparser
import datetime
import json
import os
import subprocess
import tarfile

from . import odoo as odoo_mod
from .paths import ROOT
from .pg import PgClient

MANIFEST = "manifest.json"
DUMP = "db.dump"
FILESTORE = "filestore.tar.gz"
BACKUP_FORMAT = 1


class OpsError(RuntimeError):
    pass


class PgServer(PgClient):
    """An existing PostgreSQL, as an Odoo config file names it."""

    def __init__(self, host, port, user, password):
        self.host = host or "127.0.0.1"
        self.port = int(port or 5432)
        self.user = user
        self.password = password or ""

    @classmethod
    def from_odoo_conf(cls, path):
        parser = configparser.ConfigParser()
        if not parser.read(path):
            raise OpsError(f"cannot read Odoo config {path}")
        opts = parser["options"]
        return cls(
            opts.get("db_host"),
            opts.get("db_port"),
            opts.get("db_user"),
            opts.get("db_password"),
        )


def _pg_tool(pg, what, cmd):
    """Run a PostgreSQL client tool against ``pg``; OpsError saying ``what``
    failed, with its stderr, when it does."""
    out = subprocess.run(cmd, env=pg.env(), capture_output=True, text=True, check=False)
    if out.returncode:
        raise OpsError(f"{what} failed: {out.stderr.strip()}")
    return out


def psql(pg, db, sql):
    """Read-only queries of the tools (counts, module states): rows of text."""
    out = _pg_tool(
        pg,
        f"psql on {db}",
        ["psql", "-X", "-q", "-t", "-A", "-F", "\t", "-v", "ON_ERROR_STOP=1"]
        + ["-d", db, "-c", sql],
    )
    return [line.split("\t") for line in out.stdout.splitlines() if line]


def db_exists(pg, db):
    rows = psql(pg, "postgres", "SELECT datname FROM pg_database")
    return [db] in rows


COUNT_ALL_TABLES = """
SELECT table_name,
       (xpath('/row/c/text()', query_to_xml(
           format('SELECT count(*) AS c FROM %I', table_name), false, true, ''
       )))[1]::text
  FROM information_schema.tables
 WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
 ORDER BY table_name
"""


def table_counts(pg, db):
    """{table: row count} of every table of the database."""
    return {name: int(count) for name, count in psql(pg, db, COUNT_ALL_TABLES)}


def installed_modules(pg, db):
    """{module: installed version} of the modules installed in `db`."""
    rows = psql(
        pg,
        db,
        "SELECT name, coalesce(latest_version, '') FROM ir_module_module "
        "WHERE state = 'installed' ORDER BY name",
    )
    return dict(rows)


def git_commit():
    out = subprocess.run(
        ["git", "-C", ROOT, "describe", "--tags", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout.strip() or None


def filestore_dir(data_dir, db):
    return os.path.join(data_dir, "filestore", db)


# -- backup ---------------------------------------------------------------------
def backup(pg, db, data_dir, dest_dir, odoo_version=None):
    """Dump `db` and its filestore into the new folder `dest_dir`."""
    if not db_exists(pg, db):
        raise OpsError(f"database {db!r} does not exist")
    if os.path.exists(dest_dir) and os.listdir(dest_dir):
        raise OpsError(f"{dest_dir} is not empty; a backup goes into a new folder")
    os.makedirs(dest_dir, exist_ok=True)
    os.chmod(dest_dir, 0o700)  # a backup holds the elders' health data
    modules = installed_modules(pg, db)
    counts = table_counts(pg, db)
    _pg_tool(
        pg,
        "pg_dump",
        ["pg_dump", "--format=custom", "--no-owner", "--file"]
        + [os.path.join(dest_dir, DUMP), db],
    )
    store = filestore_dir(data_dir, db)
    files = 0
    with tarfile.open(os.path.join(dest_dir, FILESTORE), "w:gz") as tar:
        if os.path.isdir(store):
            for _folder, _dirs, names in os.walk(store):
                files += len(names)
            tar.add(store, arcname=".")
    manifest = {
        "format": BACKUP_FORMAT,
        "database": db,
        "created_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "odoo_version": odoo_version,
        "source_commit": git_commit(),
        "addons": {
            name: version
            for name, version in modules.items()
            if name.startswith(odoo_mod.ELDERCARE_PREFIX)
        },
        "modules": modules,
        "filestore_files": files,
        "table_counts": counts,
    }
    with open(os.path.join(dest_dir, MANIFEST), "w") as handle:
        json.dump(manifest, handle, indent=1, sort_keys=True)
    return manifest


def read_manifest(src_dir):
    path = os.path.join(src_dir, MANIFEST)
    if not os.path.exists(path):
        raise OpsError(f"{src_dir} is not a backup (no {MANIFEST})")
    with open(path) as handle:
        manifest = json.load(handle)
    if manifest.get("format") != BACKUP_FORMAT:
        raise OpsError(f"backup format {manifest.get('format')} is not supported")
    for name in (DUMP, FILESTORE):
        if not os.path.exists(os.path.join(src_dir, name)):
            raise OpsError(f"backup {src_dir} is incomplete: {name} missing")
    return manifest


# -- restore --------------------------------------------------------------------
def restore(pg, src_dir, data_dir, db=None):
    """Create `db` (default: the backed-up name) from the backup in `src_dir`;
    refuses to overwrite an existing database or filestore."""
    manifest = read_manifest(src_dir)
    db = db or manifest["database"]
    if db_exists(pg, db):
        raise OpsError(
            f"database {db!r} already exists; restore goes onto a new database "
            "(drop it first or give another name with --db)"
        )
    store = filestore_dir(data_dir, db)
    if os.path.exists(store) and os.listdir(store):
        raise OpsError(f"filestore {store} already exists and is not empty")
    env = pg.env()
    subprocess.run(["createdb", "-E", "UTF8", db], env=env, check=True)
    out = subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "-d", db]
        + [os.path.join(src_dir, DUMP)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode:
        subprocess.run(["dropdb", "--if-exists", db], env=env, check=False)
        raise OpsError(f"pg_restore failed: {out.stderr.strip()[-2000:]}")
    os.makedirs(store, exist_ok=True)
    with tarfile.open(os.path.join(src_dir, FILESTORE), "r:gz") as tar:
        tar.extractall(store, filter="data")
    counts = table_counts(pg, db)
    wrong = {
        table: (count, counts.get(table))
        for table, count in manifest["table_counts"].items()
        if counts.get(table) != count
    }
    if wrong:
        raise OpsError(f"restored row counts differ from the backup's: {wrong}")
    return manifest


# -- upgrade --------------------------------------------------------------------
def our_module_states(pg, db):
    rows = psql(
        pg,
        db,
        "SELECT name, state FROM ir_module_module WHERE name LIKE 'eldercare%'",
    )
    return dict(rows)


def upgrade_args(pg, db, addons=None):
    """Odoo's options to update what is installed of our addons and install
    the ones this release added (every addon of the product is installed)."""
    addons = addons or odoo_mod.our_addons()
    states = our_module_states(pg, db)
    if not any(state == "installed" for state in states.values()):
        raise OpsError(f"database {db!r} has no eldercare addon installed")
    update = sorted(a for a in addons if states.get(a) == "installed")
    install = sorted(a for a in addons if states.get(a) != "installed")
    args = ["-d", db, "-u", ",".join(update)]
    if install:
        args += ["-i", ",".join(install)]
    return args, update, install


def upgrade(odoo, pg, db, config_args, logfile, addons=None, timeout=3600):
    """Run the update on `db`; raises with the log's errors when it fails."""
    args, update, install = upgrade_args(pg, db, addons)
    if os.path.exists(logfile):
        os.remove(logfile)
    cmd = [
        *odoo.cmd,
        *config_args,
        *args,
        *odoo_mod.ONE_PROCESS,
        "--stop-after-init",
        "--logfile",
        logfile,
    ]
    rc = subprocess.run(cmd, cwd=ROOT, check=False, timeout=timeout).returncode
    parsed = odoo_mod.parse_test_log(logfile)
    if rc or parsed["problems"]:
        raise OpsError(
            f"upgrade of {db} failed (rc={rc}), see {logfile}:\n  "
            + "\n  ".join(parsed["problems"][:10])
        )
    states = our_module_states(pg, db)
    not_installed = [a for a in update + install if states.get(a) != "installed"]
    if not_installed:
        raise OpsError(f"after the upgrade not installed: {', '.join(not_installed)}")
    return update, install
