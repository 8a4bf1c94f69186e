"""Start/stop the telephony side of the product: a demo Asterisk and the bridge.

The demo Asterisk is the same Debian sid Asterisk 22 chroot the tests use
(tools/asterisk/harness.py), with the shipped configuration. With a production
Asterisk, set EC_AMI_HOST/EC_AMI_PORT/EC_AMI_USER/EC_AMI_SECRET and the bridge
connects there instead (no demo Asterisk is started).
"""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time

from .paths import LOG_DIR, ROOT, VAR

PROCESSES = ("bridge", "asterisk")
BRIDGE_PATH = os.path.join(ROOT, "addons", "eldercare_asterisk", "bridge")
HARNESS = os.path.join(ROOT, "tools", "asterisk", "harness.py")
ASTERISK_DIR = os.path.join(VAR, "asterisk")
BRIDGE_LOGIN = "eldercare_bridge"


def say(msg):
    print(f"[eldercare] {msg}", flush=True)


def _harness():
    spec = importlib.util.spec_from_file_location("ec_asterisk_harness", HARNESS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _set_params(cluster, db, params):
    values = ",".join(
        "('{}', '{}', now(), now(), 1, 1)".format(k, str(v).replace("'", "''"))
        for k, v in params.items()
    )
    cluster.psql(
        "INSERT INTO ir_config_parameter "
        "(key, value, create_date, write_date, create_uid, write_uid) "
        f"VALUES {values} ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        db=db,
    )


def _bridge_password(cluster, db):
    """The bridge's login: a generated password kept in var/secrets."""
    from passlib.context import CryptContext

    from .product import secret

    password = secret("bridge_password")
    hashed = CryptContext(["pbkdf2_sha512"]).hash(password)
    out = cluster.psql(
        f"UPDATE res_users SET password = '{hashed}', active = true "
        f"WHERE login = '{BRIDGE_LOGIN}' RETURNING id",
        db=db,
    )
    if not out.stdout.strip():
        raise RuntimeError(f"user {BRIDGE_LOGIN!r} missing in database {db!r}")
    return password


def _start_demo_asterisk():
    """The chroot Asterisk on loopback; returns the EC_AMI_* environment."""
    harness = _harness()
    state = os.path.join(ASTERISK_DIR, "state.json")
    if os.path.exists(state):
        with open(state) as handle:
            saved = json.load(handle)
        try:
            os.kill(saved["pid"], 0)
            return saved["env"]
        except OSError:
            pass
    shutil.rmtree(ASTERISK_DIR, ignore_errors=True)
    say("preparing the demo Asterisk 22 (cached Debian sid chroot; built on first use)")
    harness.ensure_tarball()
    asterisk = harness.Asterisk(ASTERISK_DIR, agi_port=4573).prepare().start()
    with open(os.path.join(VAR, "run", "asterisk.pid"), "w") as handle:
        handle.write(str(asterisk.proc.pid))
    return asterisk.env()


def start(odoo, cluster, conf, url, db):
    from .product import spawn

    if not os.path.isdir(BRIDGE_PATH):
        say("telephony bridge not in this checkout: not started")
        return
    ami_env = {k: v for k, v in os.environ.items() if k.startswith("EC_AMI_")}
    if not ami_env.get("EC_AMI_HOST"):
        try:
            ami_env = _start_demo_asterisk()
        except Exception as exc:  # the web product still runs; said loudly
            say(f"demo Asterisk NOT started ({exc}); the bridge is not started")
            return
        say(f"demo Asterisk up: AMI 127.0.0.1:{ami_env['EC_AMI_PORT']}")
    _set_params(
        cluster,
        db,
        {
            "eldercare_asterisk.ami_host": ami_env["EC_AMI_HOST"],
            "eldercare_asterisk.ami_port": ami_env["EC_AMI_PORT"],
            "eldercare_asterisk.ami_user": ami_env["EC_AMI_USER"],
            "eldercare_asterisk.ami_secret": ami_env["EC_AMI_SECRET"],
        },
    )
    from .product import pid_alive

    if pid_alive("bridge"):
        say("bridge already running")
        return
    env = dict(os.environ)
    env.update(ami_env)
    env.update(
        PYTHONPATH=BRIDGE_PATH,
        EC_ODOO_URL=url,
        EC_ODOO_DB=db,
        EC_ODOO_LOGIN=BRIDGE_LOGIN,
        EC_ODOO_PASSWORD=_bridge_password(cluster, db),
        EC_SPOOL_DIR=os.path.join(VAR, "spool"),
    )
    spawn("bridge", [sys.executable, "-m", "eldercare_bridge"], env=env)
    time.sleep(1)
    if pid_alive("bridge"):
        say(f"bridge up (FastAGI 127.0.0.1:4573), log {LOG_DIR}/bridge.out")
    else:
        say(f"bridge exited at once, see {LOG_DIR}/bridge.out")


def stop():
    from .product import stop_process

    for name in PROCESSES:
        stop_process(name)
    if os.path.isdir(ASTERISK_DIR):
        subprocess.run(["rm", "-rf", ASTERISK_DIR], check=False)
