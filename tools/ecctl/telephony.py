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

from . import odoo as odoo_mod
from .paths import LOG_DIR, ROOT, VAR
from .procs import pid_alive, record_pid, say, secret, spawn, stop_process

PROCESSES = ("bridge", "asterisk")
BRIDGE_PATH = os.path.join(ROOT, "addons", "eldercare_asterisk", "bridge")
HARNESS = os.path.join(ROOT, "tools", "asterisk", "harness.py")
ASTERISK_DIR = os.path.join(VAR, "asterisk")
BRIDGE_LOGIN = "eldercare_bridge"


def _harness():
    spec = importlib.util.spec_from_file_location("ec_asterisk_harness", HARNESS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SET_PARAMS = """
for key, value in values["params"].items():
    env["ir.config_parameter"].set_param(key, value)
"""

SET_BRIDGE_PASSWORD = """
user = env["res.users"].with_context(active_test=False).search(
    [("login", "=", values["login"])]
)
if not user:
    raise SystemExit(f"user {values['login']!r} missing in {env.cr.dbname!r}")
user.write({"password": values["password"], "active": True})
"""


def configure_odoo(odoo, conf, db, ami_env):
    """The AMI settings and the bridge's password, written through Odoo's ORM
    (ir.config_parameter.set_param, res.users.write) in one `odoo shell`."""
    password = secret("bridge_password")
    odoo_mod.odoo_shell(
        odoo,
        ["-c", conf],
        db,
        SET_PARAMS + SET_BRIDGE_PASSWORD,
        {
            "params": {
                "eldercare_asterisk.ami_host": ami_env["EC_AMI_HOST"],
                "eldercare_asterisk.ami_port": str(ami_env["EC_AMI_PORT"]),
                "eldercare_asterisk.ami_user": ami_env["EC_AMI_USER"],
                "eldercare_asterisk.ami_secret": ami_env["EC_AMI_SECRET"],
            },
            "login": BRIDGE_LOGIN,
            "password": password,
        },
    )
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
    record_pid("asterisk", asterisk.proc.pid)
    return asterisk.env()


def start(odoo, conf, url, db):
    """Demo Asterisk (unless EC_AMI_HOST names one) and the bridge, pointed at
    Odoo through `url` (nginx)."""
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
    password = configure_odoo(odoo, conf, db, ami_env)
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
        EC_ODOO_PASSWORD=password,
        EC_SPOOL_DIR=os.path.join(VAR, "spool"),
    )
    spawn("bridge", [sys.executable, "-m", "eldercare_bridge"], env=env)
    time.sleep(1)
    if pid_alive("bridge"):
        say(f"bridge up (FastAGI 127.0.0.1:4573, Odoo via {url})")
        say(f"bridge log: {LOG_DIR}/bridge.out")
    else:
        say(f"bridge exited at once, see {LOG_DIR}/bridge.out")


def stop():
    for name in PROCESSES:
        stop_process(name)
    if os.path.isdir(ASTERISK_DIR):
        subprocess.run(["rm", "-rf", ASTERISK_DIR], check=False)
