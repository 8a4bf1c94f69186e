"""Run the product: local PostgreSQL under var/, the demo database, Odoo in
its production shape (workers, gevent websocket port) behind nginx, the
demo Asterisk and the bridge."""

import argparse
import configparser
import os
import subprocess
import sys
import time

from . import odoo as odoo_mod
from . import ops, telephony
from .paths import LOG_DIR, ROOT, VAR
from .pg import Cluster
from .procs import pid_alive, say, secret, spawn, stop_process
from .server import Nginx, http_ok, port_open, wait_until

DB_NAME = os.environ.get("EC_DB", "eldercare")
PG_PORT = int(os.environ.get("EC_PG_PORT", "54329"))
# the one entry browsers, the portal and the bridge use (nginx)
HTTP_PORT = int(os.environ.get("EC_HTTP_PORT", "8069"))
NGINX_DIR = os.path.join(VAR, "nginx")
CONFIG = os.path.join(VAR, "odoo.conf")
PROCESSES = ("nginx", "odoo")


def product_cluster():
    return Cluster(os.path.join(VAR, "pg", "data"), PG_PORT)


def write_config(odoo, cluster):
    """var/odoo.conf = the repo's odoo.conf + this machine's paths and secrets."""
    from passlib.context import CryptContext

    parser = configparser.ConfigParser()
    parser.read(os.path.join(ROOT, "odoo.conf"))
    opts = parser["options"]
    master = CryptContext(["pbkdf2_sha512"]).hash(secret("master_password"))
    opts.update(
        {
            "addons_path": odoo.addons_path,
            "data_dir": os.path.join(VAR, "filestore"),
            "db_host": cluster.host,
            "db_port": str(cluster.port),
            "db_user": cluster.user,
            "db_password": cluster.password,
            "admin_passwd": master,
            "db_name": DB_NAME,
            "logfile": os.path.join(LOG_DIR, "odoo.log"),
        }
    )
    with open(CONFIG, "w") as handle:
        handle.write("; written by ./bin/eldercare start from ../odoo.conf\n")
        parser.write(handle)
    os.chmod(CONFIG, 0o600)
    return CONFIG, opts


def one_off(odoo, conf, args):
    """A run of Odoo that ends (--stop-after-init), single process."""
    return subprocess.run(
        [
            *odoo.cmd,
            "-c",
            conf,
            *odoo_mod.ONE_PROCESS,
            *args,
            "--stop-after-init",
        ],
        cwd=ROOT,
        check=False,
    ).returncode


def create_database(odoo, conf, cluster):
    addons = odoo_mod.our_addons()
    say(f"creating demo database {DB_NAME!r} with {', '.join(addons)}")
    # a center in China: the company is in China (CNY) before `account` is
    # installed, so the Chinese chart (l10n_cn) is the one Odoo loads
    rc = create_in_china(odoo, conf) or one_off(
        odoo,
        conf,
        ["-d", DB_NAME, "-i", ",".join(addons), "--load-language", "zh_CN"],
    )
    if rc:
        cluster.dropdb(DB_NAME)
        say(f"database creation failed, see {LOG_DIR}/odoo.log")
    return rc


def start_web(odoo, conf, opts):
    """Odoo (prefork workers + gevent) and nginx in front; returns nginx's URL."""
    http_port = int(opts["http_port"])
    gevent_port = int(opts["gevent_port"])
    if pid_alive("odoo"):
        say("Odoo already running")
    else:
        spawn("odoo", [*odoo.cmd, "-c", conf, "-d", DB_NAME])
    nginx = Nginx(NGINX_DIR, HTTP_PORT, [("127.0.0.1", http_port, gevent_port)])
    if pid_alive("nginx"):
        say("nginx already running")
    else:
        nginx.write_config()
        nginx.check()
        spawn("nginx", nginx._cmd())
    url = f"http://127.0.0.1:{HTTP_PORT}"

    def up():
        if not pid_alive("odoo"):
            raise RuntimeError(f"Odoo exited, see {LOG_DIR}/odoo.log")
        return http_ok(f"{url}/web/health") and port_open(gevent_port)

    wait_until(up, 240, f"Odoo behind nginx at {url}", 1)
    say(
        f"Odoo is up behind nginx: {url} ({opts['workers']} HTTP workers + "
        f"{opts['max_cron_threads']} cron worker on :{http_port}, websocket on "
        f":{gevent_port}; demo logins: admin/admin, operator/operator)"
    )
    return url


IN_CHINA = """
cn = env.ref("base.cn")
env.ref("base.main_company").write(
    {"country_id": cn.id, "currency_id": cn.currency_id.id}
)
env.cr.commit()
"""


def create_in_china(odoo, conf):
    """The demo database with `base` only, its company in China (as Odoo's
    database manager does when given a country)."""
    rc = one_off(odoo, conf, ["-d", DB_NAME, "-i", "base"])
    if rc:
        return rc
    return subprocess.run(
        [*odoo.cmd, "shell", "-c", conf, "-d", DB_NAME, "--no-http"],
        cwd=ROOT,
        check=False,
        input=IN_CHINA,
        text=True,
        stdout=subprocess.DEVNULL,
    ).returncode


def start(args, setup):
    os.makedirs(LOG_DIR, exist_ok=True)
    if not args.no_setup:
        setup.install_all()
    try:
        odoo = odoo_mod.find_odoo()
    except odoo_mod.OdooNotFound as exc:
        print(f"\nCannot start: {exc}\n{odoo_mod.INSTALL_HINT}\n", file=sys.stderr)
        return 3
    say(f"using {odoo}")
    cluster = product_cluster()
    cluster.start()
    say(f"PostgreSQL on 127.0.0.1:{cluster.port} (data in {cluster.datadir})")
    conf, opts = write_config(odoo, cluster)
    if not cluster.db_exists(DB_NAME):
        rc = create_database(odoo, conf, cluster)
        if rc:
            return rc
    try:
        url = start_web(odoo, conf, opts)
    except RuntimeError as exc:
        say(str(exc))
        return 1
    telephony.start(odoo, conf, url, DB_NAME)
    from . import kannel

    kannel.start(odoo, conf, DB_NAME, url)
    say(f"logs in {LOG_DIR}; stop with ./bin/eldercare stop")
    return 0


def stop(_args):
    telephony.stop()
    from . import kannel

    kannel.stop()
    for name in PROCESSES:
        stop_process(name)
    product_cluster().stop()
    say("stopped PostgreSQL")
    return 0


def status(_args):
    cluster = product_cluster()
    print(f"postgresql: {'running' if cluster.is_running() else 'stopped'}")
    for name in (*PROCESSES, *telephony.PROCESSES):
        pid = pid_alive(name)
        print(f"{name}: {'running (pid %d)' % pid if pid else 'stopped'}")
    return 0


# -- backup, restore, upgrade ----------------------------------------------------
def _target(args):
    """(odoo, Odoo config path, PostgreSQL, database, data_dir) of a command.

    Without --config: this checkout's product (var/odoo.conf, the var/pg
    cluster, started if needed). With --config: a production server's own
    Odoo config file (its db_host/db_port/db_user/db_password, data_dir,
    db_name): an existing PostgreSQL is used as it is.
    """
    odoo = odoo_mod.find_odoo()
    if args.config:
        conf = os.path.abspath(args.config)
        pg = ops.PgServer.from_odoo_conf(conf)
    else:
        cluster = product_cluster()
        cluster.start()
        conf, _opts = write_config(odoo, cluster)
        pg = cluster
    parser = configparser.ConfigParser()
    parser.read(conf)
    opts = parser["options"]
    db = args.db or opts.get("db_name") or DB_NAME
    data_dir = opts.get("data_dir") or os.path.expanduser("~/.local/share/Odoo")
    return odoo, conf, pg, db, data_dir


def cmd_backup(args):
    odoo, _conf, pg, db, data_dir = _target(args)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    dest = args.output or os.path.join(VAR, "backups", f"{db}-{stamp}")
    try:
        manifest = ops.backup(pg, db, data_dir, dest, odoo.version)
    except ops.OpsError as exc:
        say(f"backup failed: {exc}")
        return 1
    addons = ", ".join(f"{k} {v}" for k, v in sorted(manifest["addons"].items()))
    say(f"backup of {db!r} in {dest}: {addons}; {manifest['filestore_files']} files")
    return 0


def cmd_restore(args):
    _odoo, _conf, pg, db, data_dir = _target(args)
    try:
        manifest = ops.restore(pg, args.backup, data_dir, args.db)
    except ops.OpsError as exc:
        say(f"restore failed: {exc}")
        return 1
    db = args.db or manifest["database"]
    say(
        f"restored {db!r} from {args.backup} (taken {manifest['created_at']}, "
        f"source {manifest['source_commit']}); run ./bin/eldercare upgrade if "
        "these addons are newer"
    )
    return 0


def cmd_upgrade(args):
    odoo, conf, pg, db, _data_dir = _target(args)
    backup_args = argparse.Namespace(config=args.config, db=db, output=None)
    if not args.no_backup and cmd_backup(backup_args):
        return 1
    running = not args.config and pid_alive("odoo")
    if running:
        say("stopping Odoo for the upgrade")
        for name in PROCESSES:
            stop_process(name)
    logfile = os.path.join(LOG_DIR, f"upgrade-{db}.log")
    say(f"upgrading {db!r} (log {logfile})")
    try:
        update, install = ops.upgrade(odoo, pg, db, ["-c", conf], logfile)
    except ops.OpsError as exc:
        say(str(exc))
        say(
            "Odoo is left stopped: Odoo commits the update addon by addon, so "
            "the database may be half updated. Fix the addons and run upgrade "
            "again, or restore the backup taken above (./bin/eldercare restore "
            "<folder> --db <name>) with the previous release's code."
        )
        return 1
    say(f"updated {', '.join(update)}")
    if install:
        say(f"installed {', '.join(install)} (new in this release)")
    if running:
        _c, opts = write_config(odoo, product_cluster())
        start_web(odoo, conf, opts)
    return 0
