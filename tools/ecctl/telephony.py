"""Start/stop the telephony side of the product: the demo Asterisk and the bridge."""

import os
import signal
import time

from .paths import ROOT

PROCESSES = ("bridge", "asterisk")
BRIDGE_DIR = os.path.join(ROOT, "addons", "eldercare_asterisk", "bridge")


def say(msg):
    print(f"[eldercare] {msg}", flush=True)


def start(odoo, cluster, conf, url, db):
    if not os.path.isdir(BRIDGE_DIR):
        say("telephony bridge not available in this checkout: not started")
        return


def stop():
    from .product import pid_alive

    for name in PROCESSES:
        pid = pid_alive(name)
        if pid:
            os.killpg(pid, signal.SIGTERM)
            time.sleep(0.5)
            say(f"stopped {name}")
