"""Past one machine, on Odoo's own scale-out: two Odoo servers (each with
its workers and gevent process) behind one nginx upstream, one PostgreSQL
primary and a streaming replica (pg_basebackup) that Odoo 18 uses for its
read-only routes (`db_replica_host`). Everything on loopback ports.

- a popup raised through server A (the bridge's routing call) reaches an
  operator whose websocket is connected to server B: the bus runs over
  PostgreSQL, not inside one server;
- server A killed in the middle of a burst of emergency calls sent through
  nginx: every call still raises exactly one alert (nginx moves to B; a
  call whose request died with A is sent again, as the bridge does, and the
  alert is idempotent on the linkedid);
- read-only requests (lists, dashboards, reports) are answered from the
  replica.
"""

import http.cookiejar
import json
import os
import shutil
import signal
import subprocess
import urllib.error
import urllib.request

import pytest
import websocket

from tests.tiers import execute_kw
from tools.ecctl import ops
from tools.ecctl.pg import Cluster, free_port
from tools.ecctl.server import (
    Nginx,
    OdooBehindNginx,
    http_ok,
    port_open,
    wait_until,
)

BRIDGE_LOGIN = "eldercare_bridge"
PREPARE = """
env["res.users"].search([("login", "=", values["login"])]).write(
    {"password": values["password"], "active": True}
)
env["res.users"].search([("login", "=", "operator")]).write(
    {"eldercare_on_duty": True}
)
"""


def start_replica(primary, datadir):
    """A hot standby of `primary` made with pg_basebackup -R."""
    replica = Cluster(datadir, free_port(), for_tests=True)
    os.makedirs(datadir, mode=0o700, exist_ok=True)
    if replica.os_user:
        shutil.chown(datadir, replica.os_user)
    with open(primary.password_file) as src, open(replica.password_file, "w") as dst:
        dst.write(src.read())
    os.chmod(replica.password_file, 0o600)
    env = primary.env()
    subprocess.run(
        replica._cmd(
            "pg_basebackup",
            "-h",
            primary.host,
            "-p",
            str(primary.port),
            "-U",
            primary.user,
            "-D",
            datadir,
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
        ),
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    with open(os.path.join(datadir, "postgresql.auto.conf"), "a") as conf:
        conf.write(
            f"unix_socket_directories = '{datadir}'\nhot_standby = on\n"
            # every statement the replica runs is in its log, with the client
            "log_statement = 'all'\nlog_line_prefix = '[%a] '\n"
        )
    replica.start()
    rows = ops.psql(replica, "postgres", "SELECT pg_is_in_recovery()")
    assert rows == [["t"]], "the replica is not a standby"
    return replica


class Platform:
    def __init__(self, ops_env):
        self.ops_env = ops_env
        work = os.path.join(ops_env.workdir, "scale")
        os.makedirs(work, exist_ok=True)
        self.work = work
        self.primary = Cluster(os.path.join(work, "primary", "data"), free_port(), True)
        self.primary.start()
        source = ops_env.new_db("scale")
        backup = os.path.join(work, "backup")
        ops.backup(ops_env.pg, source, os.path.join(work, "none"), backup)
        self.data_dir = os.path.join(work, "data")  # shared: filestore, sessions
        ops.restore(self.primary, backup, self.data_dir)
        self.db = source
        self.password = "bridge-" + os.urandom(6).hex()
        ops_env.shell(
            self.db,
            PREPARE,
            {"login": BRIDGE_LOGIN, "password": self.password},
            pg=self.primary,
            data_dir=self.data_dir,
        )
        self.replica = start_replica(
            self.primary, os.path.join(work, "replica", "data")
        )
        self.servers = {}
        for name in ("a", "b"):
            srv = OdooBehindNginx(
                ops_env.odoo.cmd,
                [
                    "-d",
                    self.db,
                    "--no-database-list",
                    *ops_env.odoo_args(pg=self.primary, data_dir=self.data_dir),
                    "--db_replica_host",
                    self.replica.host,
                    "--db_replica_port",
                    str(self.replica.port),
                ],
                os.path.join(work, name),
                os.path.join(work, f"odoo-{name}.log"),
            )
            srv.start_odoo()
            self.servers[name] = srv
        self.nginx = Nginx(
            os.path.join(work, "nginx"),
            free_port(),
            [("127.0.0.1", s.http_port, s.gevent_port) for s in self.servers.values()],
        ).start()
        self.url = f"http://127.0.0.1:{self.nginx.port}"
        for name, srv in self.servers.items():
            direct = f"http://127.0.0.1:{srv.http_port}/web/health"
            wait_until(
                lambda d=direct, s=srv: http_ok(d) and port_open(s.gevent_port),
                240,
                f"Odoo server {name} (HTTP workers and websocket)",
                0.5,
            )

    def server_url(self, name):
        return f"http://127.0.0.1:{self.servers[name].http_port}"

    def uid(self, login):
        rows = ops.psql(
            self.primary, self.db, f"SELECT id FROM res_users WHERE login = '{login}'"
        )
        return int(rows[0][0])

    def route(self, base_url, calls, timeout=60):
        """The bridge's routing call (JSON-RPC, as the bridge sends it)."""
        return execute_kw(
            base_url,
            self.db,
            self.uid(BRIDGE_LOGIN),
            self.password,
            "eldercare.pbx.bridge",
            "agi_route_batch",
            [calls],
            timeout=timeout,
        )

    def alert_counts(self, linkedids):
        rows = ops.psql(
            self.primary,
            self.db,
            "SELECT call_linkedid, count(*) FROM eldercare_alert "
            "WHERE call_linkedid LIKE 'scale-%' GROUP BY call_linkedid",
        )
        counts = dict.fromkeys(linkedids, 0)
        counts.update({lid: int(n) for lid, n in rows if lid in counts})
        return counts

    def close(self):
        for closer in (
            self.nginx.stop,
            *[s.stop_odoo for s in self.servers.values()],
            self.replica.stop,
            self.primary.stop,
        ):
            try:
                closer()
            except Exception as exc:  # keep closing the rest
                print(f"closing: {exc}")


@pytest.fixture(scope="module")
def platform(ops_env):
    plat = Platform(ops_env)
    try:
        yield plat
    finally:
        plat.close()


def emergency_call(linkedid):
    return {
        "linkedid": linkedid,
        "uniqueid": linkedid,
        "caller_num": "13800138000",
        "did": "8001",
        "channel": f"PJSIP/trunk-{linkedid}",
    }


def login(base_url, db, user):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    body = json.dumps(
        {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"db": db, "login": user, "password": user},
        }
    ).encode()
    req = urllib.request.Request(
        base_url + "/web/session/authenticate",
        body,
        {"Content-Type": "application/json"},
    )
    with opener.open(req, timeout=60) as resp:
        assert json.load(resp)["result"]["uid"]
    return opener, next(c.value for c in jar if c.name == "session_id")


def test_popup_raised_on_a_reaches_operator_on_b(platform):
    b = platform.servers["b"]
    _opener, session = login(platform.server_url("b"), platform.db, "operator")
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{b.gevent_port}/websocket",
        cookie=f"session_id={session}",
        origin=platform.server_url("b"),
        timeout=30,
    )
    try:
        ws.send(
            json.dumps({"event_name": "subscribe", "data": {"channels": [], "last": 0}})
        )
        linkedid = f"scale-popup-{os.getpid()}"
        platform.route(platform.server_url("a"), [emergency_call(linkedid)])
        received = []
        while not any("eldercare_alert_popup" in m for m in received):
            received.append(ws.recv())  # bounded by the 30 s socket timeout
        assert platform.alert_counts([linkedid])[linkedid] == 1
    finally:
        ws.close()


def test_read_only_requests_answered_by_the_replica(platform):
    opener, _session = login(platform.url, platform.db, "admin")
    probe = f"scale-probe-{os.getpid()}"
    body = json.dumps(
        {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "model": "res.partner",
                "method": "web_search_read",
                "args": [[["name", "=like", probe + "%"]]],
                "kwargs": {"specification": {"name": {}}, "limit": 5},
            },
        }
    ).encode()
    req = urllib.request.Request(
        platform.url + "/web/dataset/call_kw/res.partner/web_search_read",
        body,
        {"Content-Type": "application/json"},
    )
    with opener.open(req, timeout=60) as resp:
        reply = json.load(resp)
    assert reply["result"] == {"length": 0, "records": []}, reply
    # the list's query ran on the replica, sent by an Odoo server process
    log = os.path.join(platform.replica.datadir, "server.log")
    with open(log, errors="replace") as handle:
        lines = [line for line in handle if probe in line]
    assert any(line.startswith("[odoo-") for line in lines), lines


def test_server_a_killed_mid_burst_no_alarm_lost(platform):
    calls = [f"scale-burst-{os.getpid()}-{i:02d}" for i in range(30)]
    resent = 0
    for i, linkedid in enumerate(calls):
        if i == 10:
            os.killpg(platform.servers["a"].odoo_proc.pid, signal.SIGKILL)
        for _attempt in range(3):
            try:
                platform.route(platform.url, [emergency_call(linkedid)])
                break
            except (urllib.error.HTTPError, urllib.error.URLError):
                resent += 1  # the request died with server A: send again
        else:
            pytest.fail(f"{linkedid} was not routed through nginx after A died")
    counts = platform.alert_counts(calls)
    assert counts == dict.fromkeys(calls, 1), counts
    assert platform.servers["a"].odoo_proc.wait(10) is not None
    assert resent <= 2, f"{resent} requests had to be resent"
    # nginx did meet the dead server and moved the calls to B
    with open(platform.nginx.error_log, errors="replace") as handle:
        refused = [
            line
            for line in handle
            if "Connection refused" in line
            and f":{platform.servers['a'].http_port}" in line
        ]
    assert refused, "no request went to the dead server A: nothing was proven"
