"""Command line: ./bin/eldercare {start,stop,status,backup,restore,upgrade,
test,odoo-test,dev-env}."""

import argparse
import glob
import hashlib
import os
import sys

from . import odoo as odoo_mod
from . import product, setup, testrun
from .paths import ADDONS_DIR, LOG_DIR, ROOT, VAR
from .pg import Cluster

ALL_TIERS = ["lint", "python", "odoo", "browser", "ops", "asterisk"]
DEV_PG_PORT = int(os.environ.get("EC_DEV_PG_PORT", "55432"))


def dev_cluster():
    cluster = Cluster(os.path.join(VAR, "devpg", "data"), DEV_PG_PORT, for_tests=True)
    cluster.start()
    return cluster


def cmd_test(args):
    if not args.no_setup:
        setup.install_all()
    return testrun.run_all(args)


def dev_odoo():
    """Odoo, the persistent dev cluster and its cached template database."""
    os.makedirs(LOG_DIR, exist_ok=True)
    odoo = odoo_mod.find_odoo()
    cluster = dev_cluster()
    return odoo, cluster, odoo_mod.ensure_template(odoo, cluster, LOG_DIR)


def cmd_odoo_test(args):
    """Developer loop: install the named addons on a fresh copy and run their tests."""
    odoo, cluster, template = dev_odoo()
    db = f"ec_dev_{os.getpid()}"
    tags = args.tags or ",".join(f"/{a}" for a in args.addons)
    logfile = os.path.join(LOG_DIR, f"{db}.log")
    rc = odoo_mod.run_on_copy(
        odoo,
        cluster,
        db,
        template,
        testrun.install_test_args(args.addons, tags),
        logfile,
    )
    tier = testrun.Tier("odoo")
    testrun.odoo_tier_counts(tier, logfile, rc)
    testrun.print_failures(logfile, limit=200)
    if not args.keep:
        cluster.dropdb(db)
    else:
        print(f"kept database {db}")
    print("\n".join(tier.notes))
    print(f"{tier.passed} passed, {tier.failed} failed")
    return 1 if tier.failed else 0


def addons_fingerprint():
    """Changes whenever a file of our addons changes (dev-env reinstalls then)."""
    digest = hashlib.sha1()
    for path in sorted(glob.glob(os.path.join(ADDONS_DIR, "**"), recursive=True)):
        if os.path.isfile(path) and "__pycache__" not in path:
            digest.update(f"{path}:{os.stat(path).st_mtime_ns}".encode())
    return digest.hexdigest()


def cmd_dev_env(args):
    """A dev database with every addon installed; prints the EC_* variables."""
    odoo, cluster, template = dev_odoo()
    # per checkout: the dev cluster is shared by several worktrees
    db = "ec_dev_all_" + hashlib.sha1(ROOT.encode()).hexdigest()[:8]
    stamp = os.path.join(VAR, "devpg", f"{db}.fingerprint")
    fingerprint = addons_fingerprint()
    current = None
    if os.path.exists(stamp):
        with open(stamp) as handle:
            current = handle.read()
    if args.rebuild or current != fingerprint or not cluster.db_exists(db):
        addons = odoo_mod.our_addons()
        logfile = os.path.join(LOG_DIR, "dev-env.log")
        rc = odoo_mod.run_on_copy(
            odoo,
            cluster,
            db,
            template,
            ["-i", ",".join(addons), "--stop-after-init"],
            logfile,
        )
        if rc:
            print(f"install failed, see {logfile}", file=sys.stderr)
            return rc
        with open(stamp, "w") as handle:
            handle.write(fingerprint)
    for key, value in testrun.odoo_env_vars(odoo, cluster, db, template).items():
        print(f"export {key}={value!r}")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="eldercare")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("start", help="set up and start PostgreSQL + Odoo + bridge")
    p.add_argument("--no-setup", action="store_true")
    p.set_defaults(func=lambda a: product.start(a, setup))
    p = sub.add_parser("stop", help="stop what start started")
    p.set_defaults(func=product.stop)
    p = sub.add_parser("status", help="what is running")
    p.set_defaults(func=product.status)

    p = sub.add_parser("backup", help="dump the database + filestore + manifest")
    p.add_argument("--config", help="a production Odoo config (default: var/)")
    p.add_argument("--db", help="database (default: the config's db_name)")
    p.add_argument("--output", help="new folder (default: var/backups/<db>-<time>)")
    p.set_defaults(func=product.cmd_backup)
    p = sub.add_parser("restore", help="restore a backup onto a new database")
    p.add_argument("backup", help="the backup folder")
    p.add_argument("--config", help="a production Odoo config (default: var/)")
    p.add_argument("--db", help="database name (default: the backed-up one)")
    p.set_defaults(func=product.cmd_restore)
    p = sub.add_parser("upgrade", help="update the addons on an existing database")
    p.add_argument("--config", help="a production Odoo config (default: var/)")
    p.add_argument("--db", help="database (default: the config's db_name)")
    p.add_argument("--no-backup", action="store_true", help="skip the backup first")
    p.set_defaults(func=product.cmd_upgrade)

    p = sub.add_parser("test", help="run every test tier")
    p.add_argument("--no-setup", action="store_true", help="skip installing deps")
    p.add_argument("--keep", action="store_true", help="keep the temp cluster")
    p.add_argument(
        "--tiers",
        default=",".join(ALL_TIERS),
        type=lambda s: [t.strip() for t in s.split(",") if t.strip()],
        help=f"comma list of {','.join(ALL_TIERS)}",
    )
    p.set_defaults(func=cmd_test)

    p = sub.add_parser("odoo-test", help="developer loop: test some addons")
    p.add_argument("addons", nargs="+")
    p.add_argument("--tags", help="Odoo --test-tags spec (default: the addons)")
    p.add_argument("--keep", action="store_true", help="keep the database")
    p.set_defaults(func=cmd_odoo_test)

    p = sub.add_parser("dev-env", help="dev database with all addons + EC_* vars")
    p.add_argument("--rebuild", action="store_true", help="reinstall even if unchanged")
    p.set_defaults(func=cmd_dev_env)

    args = parser.parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
