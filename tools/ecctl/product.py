"""Run the product: local PostgreSQL under var/, the demo database, Odoo, the bridge."""

import configparser
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

from . import odoo as odoo_mod
from .paths import LOG_DIR, ROOT, VAR
from .pg import Cluster

DB_NAME = os.environ.get("EC_DB", "eldercare")
PG_PORT = int(os.environ.get("EC_PG_PORT", "54329"))
RUN_DIR = os.path.join(VAR, "run")
SECRETS = os.path.join(VAR, "secrets")


def say(msg):
    print(f"[eldercare] {msg}", flush=True)


def product_cluster():
    return Cluster(os.path.join(VAR, "pg", "data"), PG_PORT)


def secret(name):
    """A generated secret kept in var/secrets (never in git)."""
    os.makedirs(SECRETS, mode=0o700, exist_ok=True)
    path = os.path.join(SECRETS, name)
    if not os.path.exists(path):
        with open(path, "w") as handle:
            handle.write(secrets.token_urlsafe(18))
        os.chmod(path, 0o600)
    with open(path) as handle:
        return handle.read().strip()


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
    path = os.path.join(VAR, "odoo.conf")
    with open(path, "w") as handle:
        handle.write("; written by ./bin/eldercare start from ../odoo.conf\n")
        parser.write(handle)
    os.chmod(path, 0o600)
    return path, int(opts.get("http_port", 8069))


def pid_alive(name):
    path = os.path.join(RUN_DIR, f"{name}.pid")
    try:
        with open(path) as handle:
            pid = int(handle.read().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def spawn(name, cmd, env=None):
    os.makedirs(RUN_DIR, exist_ok=True)
    out = open(os.path.join(LOG_DIR, f"{name}.out"), "ab")  # noqa: SIM115
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    with open(os.path.join(RUN_DIR, f"{name}.pid"), "w") as handle:
        handle.write(str(proc.pid))
    return proc


def wait_http(url, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            time.sleep(1)
    return False


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
    base = [*odoo.cmd, "-c", conf, "-d", DB_NAME]
    rc = subprocess.run(
        [*base, "-i", "base", "--stop-after-init"], cwd=ROOT, check=False
    ).returncode
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
    conf, http_port = write_config(odoo, cluster)
    addons = odoo_mod.our_addons()
    if not cluster.db_exists(DB_NAME):
        say(f"creating demo database {DB_NAME!r} with {', '.join(addons)}")
        # a center in China: the company is in China (CNY) before `account` is
        # installed, so the Chinese chart (l10n_cn) is the one Odoo loads
        rc = create_in_china(odoo, conf)
        rc = (
            rc
            or subprocess.run(
                [
                    *odoo.cmd,
                    "-c",
                    conf,
                    "-d",
                    DB_NAME,
                    "-i",
                    ",".join(addons),
                    "--load-language",
                    "zh_CN",
                    "--stop-after-init",
                ],
                cwd=ROOT,
                check=False,
            ).returncode
        )
        if rc:
            cluster.dropdb(DB_NAME)
            say(f"database creation failed, see {LOG_DIR}/odoo.log")
            return rc
    if pid_alive("odoo"):
        say("Odoo already running")
    else:
        spawn("odoo", [*odoo.cmd, "-c", conf, "-d", DB_NAME])
    url = f"http://127.0.0.1:{http_port}"
    if not wait_http(f"{url}/web/health", 180):
        say(f"Odoo did not come up, see {LOG_DIR}/odoo.log")
        return 1
    say(f"Odoo is up: {url}  (demo logins: admin/admin, operator/operator)")
    from . import telephony

    telephony.start(odoo, cluster, conf, url, DB_NAME)
    from . import kannel

    kannel.start(cluster, DB_NAME, url)
    say(f"logs in {LOG_DIR}; stop with ./bin/eldercare stop")
    return 0


def stop_process(name):
    """SIGTERM the process group started as `name`, wait for it, forget its pid."""
    pid = pid_alive(name)
    if pid:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
        for _i in range(50):
            if not pid_alive(name):
                break
            time.sleep(0.2)
        say(f"stopped {name}")
    pidfile = os.path.join(RUN_DIR, f"{name}.pid")
    if os.path.exists(pidfile):
        os.unlink(pidfile)


def stop(_args):
    from . import telephony

    telephony.stop()
    from . import kannel

    kannel.stop()
    stop_process("odoo")
    product_cluster().stop()
    say("stopped PostgreSQL")
    return 0


def status(_args):
    from . import telephony

    cluster = product_cluster()
    print(f"postgresql: {'running' if cluster.is_running() else 'stopped'}")
    for name in ("odoo", *telephony.PROCESSES):
        pid = pid_alive(name)
        print(f"{name}: {'running (pid %d)' % pid if pid else 'stopped'}")
    return 0
