"""Building blocks of the real-Asterisk integration tier: the bridge as a
process, SIPp operator phones and elder calls, an AMI probe, and two Odoo
backends (the real Odoo with a copied database, or the fake JSON-RPC Odoo)."""

import argparse
import asyncio
import contextlib
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BRIDGE_PATH = os.path.join(REPO, "addons", "eldercare_asterisk", "bridge")
for path in (
    REPO,  # tools.ecctl.server: Odoo's production shape
    os.path.join(REPO, "tools", "asterisk"),
    os.path.join(REPO, "tests", "bridge"),
    BRIDGE_PATH,
):
    if path not in sys.path:
        sys.path.insert(0, path)

from eldercare_bridge.ami import AMIClient  # noqa: E402
from harness import (  # noqa: E402
    Asterisk,
    HarnessUnavailable,
    free_port,
    free_udp_port,
)

from tests.tiers import (  # noqa: E402, F401 (execute_kw: for the tests)
    ODOO_ENV,
    execute_kw,
    missing_odoo_env,
    remove_workdir,
    skip_unless_real_odoo,
)
from tools.ecctl.server import wait_until as server_wait_until  # noqa: E402

SIPP = "/usr/bin/sipp"


def wait_until(predicate, timeout=10.0, interval=0.05, message="condition"):
    """The first true result of ``predicate``; fails the test after
    ``timeout`` s."""
    return server_wait_until(predicate, timeout, message, interval, AssertionError)


def sipp_uas_command(scenario, port, *options):
    """SIPp answering on 127.0.0.1:``port`` (media on a free port) with the
    UAS ``scenario``, plus ``options``."""
    return [
        SIPP,
        "-sf",
        scenario,
        "-i",
        "127.0.0.1",
        "-p",
        str(port),
        "-mp",
        str(free_udp_port()),
        "-nostdin",
        "-bind_local",
        *options,
    ]


# ---------------------------------------------------------------- the bridge
class BridgeProcess:
    def __init__(self, env, workdir):
        self.env = env
        self.workdir = workdir
        self.log_path = os.path.join(workdir, "bridge.log")
        self.proc = None

    def start(self):
        env = dict(os.environ)
        env.update(self.env)
        env["PYTHONPATH"] = os.path.join(REPO, "addons", "eldercare_asterisk")
        env["PYTHONUNBUFFERED"] = "1"
        log = open(self.log_path, "ab")  # noqa: SIM115 - owned by the process
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "eldercare_bridge"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=REPO,
        )
        log.close()
        wait_until(lambda: "eldercare bridge up" in self.log(), 15, message="bridge up")
        return self

    def log(self):
        with contextlib.suppress(OSError), open(self.log_path, errors="replace") as fh:
            return fh.read()
        return ""

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(10)

    def stop(self):
        self.kill(signal.SIGTERM)


# --------------------------------------------------------------------- SIPp
def _render_scenario(name, workdir, **values):
    with open(os.path.join(HERE, "sipp", name)) as fh:
        text = fh.read()
    for key, value in values.items():
        text = text.replace("{{%s}}" % key, str(value))
    path = os.path.join(workdir, f"{os.getpid()}-{time.monotonic_ns()}-{name}")
    with open(path, "w") as fh:
        fh.write(text)
    return path


class OperatorPhone:
    """SIPp UAS answering as operator extension ``ext`` after ``ring_ms``,
    registered to Asterisk with the operator password."""

    def __init__(self, ext, sip_port, secret, workdir, ring_ms=1000):
        self.ext = ext
        self.sip_port = sip_port
        self.secret = secret
        self.workdir = workdir
        self.ring_ms = ring_ms
        self.port = free_udp_port()
        self.proc = None

    def start(self):
        scenario = _render_scenario(
            "operator_uas.xml", self.workdir, RING_MS=self.ring_ms
        )
        log = open(os.path.join(self.workdir, f"sipp-uas-{self.ext}.log"), "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            sipp_uas_command(
                scenario,
                self.port,
                "-aa",
                "-max_recv_loops",
                "1000",
                "-timeout_error",
                "-trace_err",
                "-error_file",
                os.path.join(self.workdir, f"sipp-uas-{self.ext}.err"),
            ),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=self.workdir,
        )
        log.close()
        time.sleep(0.2)
        self.register()
        return self

    def register(self, local_ip="127.0.0.1", auth_user=None):
        """Register (from ``local_ip``, authenticating as ``auth_user``,
        default the extension itself); AssertionError when refused."""
        scenario = os.path.join(HERE, "sipp", "register.xml")
        out = subprocess.run(
            [
                SIPP,
                f"127.0.0.1:{self.sip_port}",
                "-sf",
                scenario,
                "-s",
                self.ext,
                "-au",
                auth_user or self.ext,
                "-ap",
                self.secret,
                "-key",
                "contact_port",
                str(self.port),
                "-i",
                local_ip,
                "-p",
                str(free_udp_port()),
                "-m",
                "1",
                "-nostdin",
                "-timeout",
                "10s",
                "-timeout_error",
                "-bind_local",
            ],
            capture_output=True,
            text=True,
            timeout=20,
            cwd=self.workdir,
            check=False,
        )
        if out.returncode != 0:
            raise AssertionError(
                f"operator {self.ext} could not register: {out.stdout[-2000:]}"
            )

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def elder_call(
    sip_port,
    did,
    caller,
    workdir,
    hold_ms=4000,
    trunk_port=None,
    scenario="elder_uac.xml",
    **values,
):
    """Start a SIPp UAC call from ``caller`` to ``did``; returns the Popen.
    ``scenario``/``values``: another scenario of sipp/ and its placeholders."""
    scenario = _render_scenario(scenario, workdir, HOLD_MS=hold_ms, **values)
    log = open(os.path.join(workdir, f"sipp-uac-{caller}-{did}.log"), "ab")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            SIPP,
            f"127.0.0.1:{sip_port}",
            "-sf",
            scenario,
            "-s",
            did,
            "-key",
            "caller",
            caller,
            "-i",
            "127.0.0.1",
            "-p",
            str(trunk_port or free_udp_port()),
            "-mp",
            str(free_udp_port()),
            "-m",
            "1",
            "-nostdin",
            "-timeout",
            "60s",
            "-timeout_error",
            "-bind_local",
            "-aa",
            "-trace_err",
            "-error_file",
            os.path.join(workdir, f"sipp-uac-{caller}-{did}.err"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        cwd=workdir,
    )
    log.close()
    return proc


# ---------------------------------------------------------------- AMI probe
class AmiProbe:
    """An AMI connection of the test itself (in a thread): sends actions and
    records every event so tests can assert what Asterisk really did."""

    def __init__(self, asterisk):
        self.events = []
        self.lock = threading.Lock()
        self.loop = asyncio.new_event_loop()
        self.client = AMIClient(
            "127.0.0.1",
            asterisk.ami_port,
            asterisk.ami_user,
            asterisk.ami_secret,
            on_event=self._on_event,
        )
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self._run(self._start())

    async def _start(self):
        self.client.start()
        await asyncio.wait_for(self.client.connected.wait(), 10)

    def _on_event(self, frame):
        frame["_t"] = time.monotonic()
        with self.lock:
            self.events.append(frame)

    def _run(self, coro, timeout=20):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def action(self, name, **headers):
        async def go():
            return await asyncio.wait_for(self.client.action(name, **headers), 15)

        return self._run(go())

    def action_list(self, name, **headers):
        return self._run(self.client.action_list(name, **headers))

    def find(self, **match):
        with self.lock:
            events = list(self.events)
        return [
            e
            for e in events
            if all(str(e.get(k, "")).startswith(v) for k, v in match.items())
        ]

    def wait_event(self, timeout=10, **match):
        return wait_until(
            lambda: self.find(**match), timeout, message=f"AMI event {match}"
        )[0]

    def originate(self, did, caller, context="eldercare-inbound", wait=30):
        """Place a call like an elder's phone would, via a Local channel."""
        resp = self.action(
            "Originate",
            Channel=f"Local/{did}@{context}",
            Application="Wait",
            Data=str(wait),
            CallerID=f'"" <{caller}>',
            Async="true",
            Timeout="60000",
        )
        assert resp.get("Response") == "Success", resp

    def hangup_all(self):
        with contextlib.suppress(Exception):
            self.action("Hangup", Channel="/.*/")

    def close(self):
        with contextlib.suppress(Exception):
            self._run(self.client.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)


# ---------------------------------------------------------------- backends
class _Backend:
    """What the bridge is given to reach a backend: its URL, database and
    the bridge user's credentials (``url``, ``db``, ``login``, ``password``)."""

    def bridge_env(self):
        return {
            "EC_ODOO_URL": self.url,
            "EC_ODOO_DB": self.db,
            "EC_ODOO_LOGIN": self.login,
            "EC_ODOO_PASSWORD": self.password,
        }


class FakeBackend(_Backend):
    """The fake JSON-RPC Odoo (tests/bridge/fake_odoo.py)."""

    name = "fake"

    def __init__(self):
        from fake_odoo import FakeOdoo

        self.fake = FakeOdoo().start()
        self.url = self.fake.url
        self.db, self.login, self.password = "fake", "eldercare_bridge", "pw"

    def alerts(self, linkedid):
        alert = self.fake.alerts.get(linkedid)
        count = sum(1 for a in self.fake.alerts.values() if a["linkedid"] == linkedid)
        return [alert] * count if alert else []

    def call_log(self, linkedid):
        """What the forwarded events tell about the call (the fake keeps no log)."""
        with self.fake.lock:
            events = [e for e in self.fake.events if e.get("Linkedid") == linkedid]
        connect = [e for e in events if e.get("Event") == "AgentConnect"]
        ext = ""
        if connect:
            ext = str(connect[0].get("Interface", "")).rpartition("/")[2]
        return {
            "operator_ext": ext,
            "answered": bool(connect),
            "ended": any(e.get("Event") == "Hangup" for e in events),
        }

    def set_escalation(self, steps):
        """Escalation chain [(target, seconds)]: "queue", "on_call" (phone
        1003) or a dial string; None: back to no chain."""
        self.fake.chain = [
            {"target": "PJSIP/1003" if t == "on_call" else t, "seconds": sec}
            for t, sec in steps or []
        ]

    def escalation_steps(self, linkedid):
        """The fake keeps no escalation log: the forwarded dialplan events."""
        with self.fake.lock:
            return [
                (e.get("Step"), e.get("Target"))
                for e in self.fake.events
                if e.get("Linkedid") == linkedid
                and e.get("UserEvent") == "EldercareEscalation"
            ]

    def alert_kind(self, linkedid):
        """(channel, alert type code) of the call's alert; the fake has no types."""
        alert = self.fake.alerts.get(linkedid)
        return alert and (alert["channel"], None)

    def alert_counts(self, linkedids):
        with self.fake.lock:
            return {lid: (1 if lid in self.fake.alerts else 0) for lid in linkedids}

    def elder_of_alert(self, linkedid):
        alert = self.fake.alerts.get(linkedid)
        return alert and alert["elder_id"]

    def requests(self, linkedid):
        return [r for r in self.fake.requests if r.get("linkedid") == linkedid]

    def popups(self, since_mark, linkedid):
        return [
            e
            for e in self.fake.events[since_mark:]
            if e.get("Event") == "DialBegin"
            and e.get("Linkedid") == linkedid
            and str(e.get("DestChannel", "")).startswith("PJSIP/100")
        ]

    def mark(self):
        return len(self.fake.events)

    def make_unreachable(self):
        self.fake.down = True

    def make_reachable(self):
        self.fake.down = False

    def stop(self):
        self.fake.stop()


class OdooBackend(_Backend):
    """A real Odoo 18 serving a copy of EC_ODOO_DB_TEMPLATE."""

    name = "odoo"
    ENV = ODOO_ENV

    @classmethod
    def missing_env(cls):
        return missing_odoo_env()

    def __init__(self, workdir):
        e = os.environ
        self.workdir = workdir
        self.pg = {
            "host": e["EC_PG_HOST"],
            "port": e["EC_PG_PORT"],
            "user": e["EC_PG_USER"],
        }
        self.pgenv = dict(os.environ, PGPASSWORD=e["EC_PG_PASSWORD"])
        self.db = f"ec_it_{os.getpid()}_{int(time.time())}"
        self.login = "eldercare_bridge"
        self.password = "bridge-" + os.urandom(6).hex()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.log_path = os.path.join(workdir, "odoo.log")
        self._pg_args = [
            "-h",
            self.pg["host"],
            "-p",
            self.pg["port"],
            "-U",
            self.pg["user"],
        ]
        subprocess.run(
            ["createdb", *self._pg_args, "-T", e["EC_ODOO_DB_TEMPLATE"], self.db],
            check=True,
            env=self.pgenv,
            capture_output=True,
            timeout=300,
        )
        self._configure()
        self.start()

    def psql(self, sql, *params):
        """Run one query; %s placeholders are filled with quoted literals."""
        quoted = tuple("'" + str(p).replace("'", "''") + "'" for p in params)
        out = subprocess.run(
            [
                "psql",
                *self._pg_args,
                "-d",
                self.db,
                "-At",
                "-F",
                "\t",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql % quoted,
            ],
            check=True,
            env=self.pgenv,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return [line.split("\t") for line in out.stdout.splitlines() if line]

    def _configure(self):
        # Odoo's CryptContext accepts a plaintext password and rehashes it at
        # the first login (pbkdf2_sha512)
        rows = self.psql(
            "UPDATE res_users SET password = %s, active = true "
            "WHERE login = %s RETURNING id",
            self.password,
            self.login,
        )
        assert rows, "the eldercare_bridge user is missing from the template database"
        # operators on duty so popups are sent; lines 8001/8000 come with demo data
        self.psql(
            "UPDATE res_users SET eldercare_on_duty = true "
            "WHERE eldercare_extension IN ('1001', '1002')"
        )
        lines = dict(self.psql("SELECT number, line_type FROM eldercare_pbx_line"))
        assert lines.get("8001") == "emergency", f"demo lines missing: {lines}"

    def odoo_options(self):
        """Odoo's options for this copy: database, addons, PostgreSQL."""
        e = os.environ
        return [
            "-d",
            self.db,
            f"--addons-path={e['EC_ODOO_ADDONS_PATH']}",
            "--db_host",
            self.pg["host"],
            "--db_port",
            self.pg["port"],
            "--db_user",
            self.pg["user"],
            "--db_password",
            e["EC_PG_PASSWORD"],
            "--no-database-list",
        ]

    def start(self):
        e = os.environ
        # production shape (tools/ecctl/server.py): HTTP workers, a cron
        # worker and the websocket on the gevent port, nginx on self.port
        from tools.ecctl.server import OdooBehindNginx

        self.server = OdooBehindNginx(
            shlex.split(e["EC_ODOO_CMD"]),
            self.odoo_options(),
            self.workdir,
            self.log_path,
            listen_port=self.port,
        )
        self.proc = self.server.start_odoo()
        self.server.nginx.start()

        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"Odoo exited; see {self.log_path}")
            try:
                req = urllib.request.Request(
                    self.url + "/jsonrpc",
                    method="POST",
                    data=json.dumps(
                        {
                            "jsonrpc": "2.0",
                            "method": "call",
                            "params": {
                                "service": "common",
                                "method": "login",
                                "args": [self.db, self.login, self.password],
                            },
                        }
                    ).encode(),
                    headers={"Content-Type": "application/json"},
                )
                with urllib.request.urlopen(req, timeout=5) as resp:
                    return json.load(resp).get("result")
            except OSError:
                return False

        wait_until(ready, 120, 0.5, "Odoo HTTP and the bridge login")
        self.warm_up()

    def rpc(self, method, *args, timeout=120):
        uid = int(
            self.psql("SELECT id FROM res_users WHERE login = %s", self.login)[0][0]
        )
        return execute_kw(
            self.url,
            self.db,
            uid,
            self.password,
            "eldercare.pbx.bridge",
            method,
            args,
            timeout=timeout,
        )

    def warm_up(self):
        """A fresh Odoo answers its first calls in seconds (registry, caches):
        warm it like a production server that has been up for a while, so the
        tests measure the call path, not Odoo's start."""
        self.rpc("bridge_config")
        self.rpc(
            "agi_route_batch",
            [
                {
                    "linkedid": f"warmup-{os.getpid()}",
                    "caller_num": "13800138000",
                    "did": "8000",
                    "channel": "warmup",
                    "uniqueid": "warmup",
                }
            ],
        )
        self.rpc("ami_events", [])

    def alerts(self, linkedid):
        return self.psql(
            "SELECT id, elder_id FROM eldercare_alert WHERE call_linkedid = %s",
            linkedid,
        )

    def call_log(self, linkedid):
        rows = self.psql(
            "SELECT coalesce(u.eldercare_extension, ''), c.answered_at IS NOT NULL, "
            "c.ended_at IS NOT NULL FROM eldercare_call c "
            "LEFT JOIN res_users u ON u.id = c.operator_id WHERE c.linkedid = %s",
            linkedid,
        )
        if not rows:
            return None
        ext, answered, ended = rows[0]
        return {"operator_ext": ext, "answered": answered == "t", "ended": ended == "t"}

    def set_escalation(self, steps):
        """Escalation chain [(target, seconds)]: "queue", "on_call" (the demo
        admin on call at phone 1003) or a backup number; None: none."""
        self.psql("DELETE FROM eldercare_escalation_step")
        self.psql(
            "UPDATE res_users SET eldercare_on_call = (login = 'admin'), "
            "eldercare_extension = CASE WHEN login = 'admin' THEN '1003' "
            "ELSE eldercare_extension END, eldercare_endpoint = CASE WHEN "
            "login = 'admin' THEN 'PJSIP/1003' ELSE eldercare_endpoint END"
            if steps
            else "UPDATE res_users SET eldercare_on_call = false"
        )
        for sequence, (target, seconds) in enumerate(steps or [], 1):
            kind = target if target in ("queue", "on_call") else "number"
            self.psql(
                "INSERT INTO eldercare_escalation_step (sequence, target, number, "
                "ring_seconds, active, company_id, create_date, write_date) "
                "VALUES (%s, %s, NULLIF(%s, ''), %s, true, "
                "(SELECT min(id) FROM res_company), now(), now())",
                sequence,
                kind,
                target if kind == "number" else "",
                seconds,
            )

    def escalation_steps(self, linkedid):
        return self.psql(
            "SELECT e.step, e.target FROM eldercare_alert_escalation e "
            "JOIN eldercare_alert a ON a.id = e.alert_id "
            "WHERE a.call_linkedid = %s ORDER BY e.id",
            linkedid,
        )

    def alert_kind(self, linkedid):
        rows = self.psql(
            "SELECT a.channel, t.code FROM eldercare_alert a "
            "JOIN eldercare_alert_type t ON t.id = a.type_id "
            "WHERE a.call_linkedid = %s",
            linkedid,
        )
        return rows and tuple(rows[0])

    def alert_counts(self, linkedids):
        if not linkedids:
            return {}
        rows = self.psql(
            "SELECT call_linkedid, count(*) FROM eldercare_alert "
            "WHERE call_linkedid = ANY(string_to_array(%s, "
            "',')) GROUP BY call_linkedid",
            ",".join(linkedids),
        )
        counts = {lid: 0 for lid in linkedids}
        counts.update({lid: int(n) for lid, n in rows})
        return counts

    def elder_of_alert(self, linkedid):
        rows = self.alerts(linkedid)
        return rows and rows[0][1] and int(rows[0][1])

    def requests(self, linkedid):
        return self.psql(
            "SELECT id FROM eldercare_service_request WHERE call_linkedid = %s",
            linkedid,
        )

    def mark(self):
        rows = self.psql("SELECT coalesce(max(id), 0) FROM bus_bus")
        return int(rows[0][0])

    def popups(self, since_mark, linkedid):
        alert_ids = [r[0] for r in self.alerts(linkedid)]
        rows = self.psql(
            "SELECT id, channel, message FROM bus_bus WHERE id > %s AND "
            "(message LIKE '%%eldercare_alert_popup%%' "
            "OR message LIKE '%%eldercare_call_popup%%')",
            since_mark,
        )
        out = []
        for _id, channel, message in rows:
            if (
                any(
                    f'"id": {a}' in message or f'"id":{a}' in message for a in alert_ids
                )
                or linkedid in message
            ):
                out.append((channel, message))
        return out

    def make_unreachable(self):
        os.killpg(self.proc.pid, signal.SIGSTOP)  # Odoo hangs: nothing answers

    def make_reachable(self):
        os.killpg(self.proc.pid, signal.SIGCONT)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGCONT)
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.server.nginx.stop()
        subprocess.run(
            ["dropdb", *self._pg_args, "--if-exists", "--force", self.db],
            env=self.pgenv,
            capture_output=True,
            check=False,
            timeout=120,
        )


def set_params(call, params):
    """Write Odoo system parameters through the ORM; ``call(model, method,
    *args)`` is a JSON-RPC caller of the test (an admin)."""
    for key, value in params.items():
        call("ir.config_parameter", "set_param", key, value)


def new_workdir():
    return tempfile.mkdtemp(prefix="ec-it-")


# ------------------------------------------------------------- the stack
def _prepared_asterisk(workdir, systemname=""):
    if os.geteuid() != 0:
        raise HarnessUnavailable("real Asterisk needs root (chroot)")
    if not os.path.exists(SIPP):
        raise HarnessUnavailable("SIPp is not installed (apt-get install sip-tester)")
    return Asterisk(
        os.path.join(workdir, "asterisk"), agi_port=free_port(), systemname=systemname
    ).prepare()


class Stack:
    """One Asterisk (``systemname``: its name in every linkedid), its bridge
    and two SIPp operator phones, against ``backend``."""

    def __init__(self, backend, workdir, systemname="", bridge_extra_env=None):
        self.backend = backend
        self.workdir = workdir
        self.asterisk = _prepared_asterisk(workdir, systemname).start()
        self.spool_dir = os.path.join(workdir, "spool")
        env = dict(self.asterisk.env())
        env.update(backend.bridge_env())
        env.update(
            {
                "EC_SPOOL_DIR": self.spool_dir,
                "EC_LOG_LEVEL": "INFO",
                "EC_CONFIG_REFRESH": "5",
            }
        )
        env.update(bridge_extra_env or {})
        if backend.name == "odoo":
            # a real Odoo answers its first calls slower than the 300 ms budget
            # while it warms its caches; the warm-up below takes care of it
            pass
        self.bridge_env = env
        self.bridge = BridgeProcess(env, workdir).start()
        self.operators = [
            OperatorPhone(
                "1001",
                self.asterisk.sip_port,
                self.asterisk.operator_secret,
                workdir,
                ring_ms=1000,
            ).start(),
            OperatorPhone(
                "1002",
                self.asterisk.sip_port,
                self.asterisk.operator_secret,
                workdir,
                ring_ms=2500,
            ).start(),
        ]
        self.ami = AmiProbe(self.asterisk)

    def restart_bridge(self):
        self.bridge = BridgeProcess(self.bridge_env, self.workdir).start()
        return self.bridge

    def close(self):
        keep = bool(os.environ.get("EC_KEEP_LOGS"))
        for closer in (
            self.ami.close,
            self.bridge.stop,
            *[op.stop for op in self.operators],
            lambda: self.asterisk.stop(cleanup=not keep),
        ):
            with contextlib.suppress(Exception):
                closer()


# ---------------------------------------------------------------- benchmarks
def bench_arguments(doc, calls):
    """The command line of a call benchmark: ``--calls``, ``--fake-only``."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--calls", type=int, default=calls)
    parser.add_argument("--fake-only", action="store_true")
    return parser.parse_args()


def real_odoo_skipped(args):
    """True (and says why) when only the fake-Odoo baseline runs."""
    missing = OdooBackend.missing_env()
    if args.fake_only or missing:
        print(
            "real Odoo not measured"
            + (f": set {', '.join(missing)}" if missing else "")
        )
        return True
    return False


def odoo_workers_label():
    return os.environ.get("EC_ODOO_WORKERS") or "2 (production shape)"


def percentile(values, pct):
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(pct / 100.0 * (len(ordered) - 1)))))
    return ordered[k]


def seed_elders(backend, count, prefix="1371"):
    """Insert ``count`` certified elders with one mobile each, by SQL (seconds,
    not minutes): every column is copied from the demo elder 13800138000, only
    name/numbers change. Returns the list of their phone numbers."""
    cols = backend.psql(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = 'res_partner' AND "
        "column_name <> 'id' ORDER BY ordinal_position"
    )
    cols = [c[0] for c in cols]
    over = {
        "name": "'长者' || g",
        "complete_name": "'长者' || g",
        "mobile": f"'{prefix}' || lpad(g::text, 7, '0')",
        "phone": "NULL",
        "email": "NULL",
        "ref": "'bench-' || g",
        "id_number": "NULL",
        "barcode": "NULL",
        "vat": "NULL",
        "create_date": "now() at time zone 'utc'",
        "write_date": "now() at time zone 'utc'",
    }
    select = ", ".join(over.get(c, f"t.{c}") for c in cols)
    tpl = (
        "(SELECT p.* FROM res_partner p JOIN "
        "eldercare_phone ph ON ph.partner_id = p.id "
        "WHERE ph.number_e164 = '+8613800138000' LIMIT 1)"
    )
    backend.psql(
        f"INSERT INTO res_partner ({', '.join(cols)}) SELECT {select} "
        f"FROM {tpl} t CROSS JOIN generate_series(1, {int(count)}) g"
    )
    pcols = [
        c[0]
        for c in backend.psql(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'eldercare_phone' AND "
            "column_name <> 'id' ORDER BY ordinal_position"
        )
    ]
    pover = {
        "partner_id": "p.id",
        "number": "p.mobile",
        "number_e164": "'+86' || p.mobile",
        "phone_type": "'mobile'",
        "create_date": "now() at time zone 'utc'",
        "write_date": "now() at time zone 'utc'",
    }
    pselect = ", ".join(pover.get(c, f"t.{c}") for c in pcols)
    backend.psql(
        f"INSERT INTO eldercare_phone ({', '.join(pcols)}) SELECT {pselect} "
        "FROM (SELECT * FROM eldercare_phone WHERE "
        "number_e164 = '+8613800138000' LIMIT 1) t "
        "CROSS JOIN res_partner p WHERE p.ref LIKE 'bench-%%'"
    )
    backend.psql("ANALYZE res_partner")
    backend.psql("ANALYZE eldercare_phone")
    return [f"{prefix}{i:07d}" for i in range(1, int(count) + 1)]
