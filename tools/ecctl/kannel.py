"""Kannel (bearerbox + smsbox) on loopback, with kannel-extras' SMSC simulator.

`Kannel(workdir, odoo_url, token).start()` renders tools/kannel/kannel.conf.in
with free loopback ports, starts the SMSC simulator's listener (bearerbox),
the simulator itself (`fakesmsc`, playing the carrier) and smsbox (HTTP
sendsms). `odoo_params()` is what Odoo needs to send through it; `received()`
is what the simulated carrier got. Used by `./bin/eldercare start` (start()/
stop() below) and by tests/integration/test_sms_kannel.py.
"""

import contextlib
import os
import re
import secrets
import shutil
import socket
import string
import time
import urllib.parse

from .procs import start_detached, stop_group

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TEMPLATE = os.path.join(ROOT, "tools", "kannel", "kannel.conf.in")
FAKESMSC_CANDIDATES = (
    "/usr/lib/kannel/test/fakesmsc",
    "/usr/libexec/kannel/test/fakesmsc",
)
CENTER_NUMBER = "95000"
_GOT = re.compile(r"Got message \d+: <(\S+) (\S+) (\S+) ?(.*)>\s*$")


class KannelUnavailable(RuntimeError):
    """Kannel or its simulator is not installed."""


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def find_binaries():
    """(bearerbox, smsbox, fakesmsc) or KannelUnavailable saying what to install."""
    bearerbox = shutil.which("bearerbox") or "/usr/sbin/bearerbox"
    smsbox = shutil.which("smsbox") or "/usr/sbin/smsbox"
    for path in (bearerbox, smsbox):
        if not os.access(path, os.X_OK):
            raise KannelUnavailable(f"{path} missing: apt-get install kannel")
    fakesmsc = next((p for p in FAKESMSC_CANDIDATES if os.access(p, os.X_OK)), None)
    if not fakesmsc:
        raise KannelUnavailable(
            "the SMSC simulator (fakesmsc) is missing: apt-get install kannel-extras"
        )
    return bearerbox, smsbox, fakesmsc


def _decode(kind, data):
    """The text of one line fakesmsc printed (ucs-2/data are url-encoded)."""
    if kind == "text":
        return data
    raw = urllib.parse.unquote_to_bytes(data.replace("+", "%20"))
    if kind == "ucs-2":
        return raw.decode("utf-16-be", errors="replace")
    return raw.decode("utf-8", errors="replace")


def parse_simulator_log(text):
    """[{'sender', 'to', 'text'}] of every message the simulated carrier got."""
    messages = []
    for line in text.splitlines():
        match = _GOT.search(line)
        if match:
            sender, to, kind, data = match.groups()
            messages.append({"sender": sender, "to": to, "text": _decode(kind, data)})
    return messages


class Kannel:
    """One Kannel instance (bearerbox, smsbox, simulated carrier) in workdir."""

    def __init__(self, workdir, odoo_url, token, log_level=1):
        self.workdir = os.path.abspath(workdir)
        self.odoo_url = odoo_url.rstrip("/")
        self.token = token
        self.log_level = log_level
        self.bearerbox_bin, self.smsbox_bin, self.fakesmsc_bin = find_binaries()
        self.ports = {
            "admin_port": _free_port(),
            "smsbox_port": _free_port(),
            "smsc_port": _free_port(),
            "sendsms_port": _free_port(),
        }
        self.sendsms_user = "eldercare"
        self.sendsms_password = secrets.token_urlsafe(12)
        self.admin_password = secrets.token_urlsafe(12)
        self.conf = os.path.join(self.workdir, "kannel.conf")
        self.simulator_log = os.path.join(self.workdir, "smsc-simulator.log")
        self.procs = {}

    # -- configuration -------------------------------------------------------
    def render(self):
        os.makedirs(self.workdir, exist_ok=True)
        with open(TEMPLATE) as handle:
            template = string.Template(handle.read())
        text = template.substitute(
            workdir=self.workdir,
            log_level=self.log_level,
            admin_password=self.admin_password,
            sender=CENTER_NUMBER,
            sendsms_user=self.sendsms_user,
            sendsms_password=self.sendsms_password,
            odoo_url=self.odoo_url,
            token=self.token,
            **self.ports,
        )
        with open(self.conf, "w") as handle:
            handle.write(text)
        os.chmod(self.conf, 0o600)
        return self.conf

    @property
    def sendsms_url(self):
        return f"http://127.0.0.1:{self.ports['sendsms_port']}/cgi-bin/sendsms"

    def odoo_params(self):
        """ir.config_parameter values that make Odoo send through this Kannel."""
        return {
            "eldercare_sms.kannel_url": self.sendsms_url,
            "eldercare_sms.kannel_user": self.sendsms_user,
            "eldercare_sms.kannel_password": self.sendsms_password,
            "eldercare_sms.kannel_sender": CENTER_NUMBER,
            "eldercare_sms.callback_url": self.odoo_url,
            "eldercare_sms.token": self.token,
        }

    # -- processes -------------------------------------------------------------
    def _spawn(self, name, cmd, log_path=None):
        """Start ``cmd`` as process ``name``, its output appended to
        ``log_path`` (default ``<name>.out`` in the work directory)."""
        log_path = log_path or os.path.join(self.workdir, f"{name}.out")
        self.procs[name] = start_detached(cmd, log_path, cwd=self.workdir)
        return self.procs[name]

    def _wait_port(self, port, name, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            proc = self.procs.get(name)
            if proc and proc.poll() is not None:
                raise RuntimeError(
                    f"{name} exited (rc={proc.returncode}); see {self.workdir}"
                )
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", port), timeout=0.5),
            ):
                return
            time.sleep(0.05)
        raise RuntimeError(f"{name} did not listen on 127.0.0.1:{port} in {timeout} s")

    def start(self):
        """bearerbox, then the simulated carrier, then smsbox (sendsms ready)."""
        if not os.path.exists(self.conf):
            self.render()
        self._spawn("bearerbox", [self.bearerbox_bin, self.conf])
        self._wait_port(self.ports["smsc_port"], "bearerbox")
        self._wait_port(self.ports["smsbox_port"], "bearerbox")
        self.start_simulator()
        self.start_smsbox()
        return self

    def start_smsbox(self):
        self._spawn("smsbox", [self.smsbox_bin, self.conf])
        self._wait_port(self.ports["sendsms_port"], "smsbox")

    def start_simulator(self, mo=None):
        """Run the simulated carrier; `mo` = (sender, text) it sends once to us."""
        self._stop("simulator")
        cmd = [self.fakesmsc_bin, "-H", "127.0.0.1", "-r", str(self.ports["smsc_port"])]
        if mo:
            sender, text = mo
            data = urllib.parse.quote_plus(text.encode("utf-8"))
            cmd += ["-m", "1", f"{sender} {CENTER_NUMBER} data {data}"]
        else:
            cmd += ["-m", "0", f"0 {CENTER_NUMBER} text nop"]
        self._spawn("simulator", cmd, self.simulator_log)
        self._wait_log(
            os.path.join(self.workdir, "bearerbox.log"),
            "Fakesmsc client connected",
            count=self._connected_count() + 1,
        )

    def _connected_count(self):
        path = os.path.join(self.workdir, "bearerbox.log")
        if not os.path.exists(path):
            return 0
        with open(path, errors="replace") as handle:
            return handle.read().count("Fakesmsc client connected")

    def _wait_log(self, path, needle, count=1, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), open(path, errors="replace") as handle:
                if handle.read().count(needle) >= count:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"{needle!r} not in {path} after {timeout} s")

    def send_mo(self, sender, text):
        """The carrier delivers one SMS from `sender` to the center's number."""
        self.start_simulator(mo=(sender, text))

    def received(self):
        """What the simulated carrier received from Kannel, in order."""
        try:
            with open(self.simulator_log, errors="replace") as handle:
                return parse_simulator_log(handle.read())
        except OSError:
            return []

    def _stop(self, name, timeout=10):
        proc = self.procs.pop(name, None)
        if not proc or proc.poll() is not None:
            return
        stop_group(proc, timeout=timeout)

    def stop(self):
        """Kannel down (smsbox first, then bearerbox), simulator kept or not."""
        self._stop("smsbox")
        self._stop("bearerbox")

    def close(self):
        self.stop()
        self._stop("simulator")

    def pids(self):
        return {
            name: proc.pid for name, proc in self.procs.items() if proc.poll() is None
        }


# -- ./bin/eldercare start / stop ----------------------------------------------
PROCESSES = ("kannel-smsbox", "kannel-simulator", "kannel-bearerbox")


def start(odoo, conf, db, odoo_url):
    """The product's Kannel beside Odoo (demo carrier: the SMSC simulator);
    its settings are written through Odoo's ORM (`odoo shell`), as the
    telephony settings are."""
    from . import odoo as odoo_mod
    from .paths import LOG_DIR, VAR
    from .procs import RUN_DIR, pid_alive, say, secret
    from .telephony import SET_PARAMS

    if pid_alive("kannel-bearerbox"):
        say("Kannel already running")
        return None
    try:
        kannel = Kannel(
            os.path.join(VAR, "kannel"), odoo_url, secret("kannel_token"), log_level=1
        )
    except KannelUnavailable as exc:
        say(f"Kannel NOT started ({exc}); SMS stay queued in Odoo")
        return None
    kannel.render()
    kannel.start()
    os.makedirs(RUN_DIR, exist_ok=True)
    names = {"bearerbox": "kannel-bearerbox", "smsbox": "kannel-smsbox"}
    names["simulator"] = "kannel-simulator"
    for name, pid in kannel.pids().items():
        with open(os.path.join(RUN_DIR, f"{names[name]}.pid"), "w") as handle:
            handle.write(str(pid))
    params = {key: str(value) for key, value in kannel.odoo_params().items()}
    odoo_mod.odoo_shell(odoo, ["-c", conf], db, SET_PARAMS, {"params": params})
    say(
        f"Kannel up: sendsms {kannel.sendsms_url}, SMSC simulator log "
        f"{kannel.simulator_log} (logs in {LOG_DIR} and {kannel.workdir})"
    )
    return kannel


def stop():
    from .procs import stop_process

    for name in PROCESSES:
        stop_process(name)
