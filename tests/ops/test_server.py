"""The production shape: Odoo with HTTP workers, a cron worker and the
websocket on the gevent port, nginx as the one entry (loopback). What a
browser does through nginx: log in, open the bus websocket and receive a
notification another Odoo process sent; static files come from nginx's
cache; a stranger finds the center's name and logo and no sign-up."""

import base64
import http.cookiejar
import io
import json
import os
import urllib.error
import urllib.request

import psutil
import pytest
import websocket
from PIL import Image

from tools.ecctl import ops
from tools.ecctl.paths import ADDONS_DIR
from tools.ecctl.server import OdooBehindNginx

LOGO = os.path.join(ADDONS_DIR, "eldercare_base", "static", "img", "center_logo.png")


@pytest.fixture(scope="module")
def server(ops_env):
    db = ops_env.new_db("web")
    srv = OdooBehindNginx(
        ops_env.odoo.cmd,
        ["-d", db, "--no-database-list", *ops_env.odoo_args()],
        os.path.join(ops_env.workdir, "web"),
        os.path.join(ops_env.workdir, "web-odoo.log"),
    )
    srv.db = db
    try:
        srv.start()
        yield srv
    finally:
        srv.stop()


class Browser:
    def __init__(self, url):
        self.url = url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar)
        )

    def get(self, path):
        try:
            with self.opener.open(self.url + path, timeout=60) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    def json(self, path, params):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params})
        req = urllib.request.Request(
            self.url + path, body.encode(), {"Content-Type": "application/json"}
        )
        with self.opener.open(req, timeout=60) as resp:
            return json.load(resp)

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), None)


def test_odoo_runs_workers_cron_and_gevent(server):
    children = psutil.Process(server.odoo_proc.pid).children()
    commands = [" ".join(child.cmdline()) for child in children]
    gevent = [c for c in commands if " gevent" in c]
    assert len(gevent) == 1, commands
    # 2 HTTP workers + 1 cron worker are forks of the master beside gevent
    assert len(children) - len(gevent) >= 3, commands


def test_login_then_bus_websocket_through_nginx(server, ops_env):
    browser = Browser(server.url)
    reply = browser.json(
        "/web/session/authenticate",
        {"db": server.db, "login": "admin", "password": "admin"},
    )
    uid = reply["result"]["uid"]
    assert uid
    session = browser.cookie("session_id")
    assert session
    ws = websocket.create_connection(
        server.url.replace("http://", "ws://") + "/websocket",
        cookie=f"session_id={session}",
        origin=server.url,
        timeout=30,
    )
    try:
        ws.send(
            json.dumps({"event_name": "subscribe", "data": {"channels": [], "last": 0}})
        )
        marker = f"ec_ops_ping_{os.getpid()}"
        # another Odoo process (a shell) sends: the bus goes through
        # PostgreSQL to the gevent process, then through nginx to us
        ops_env.shell(
            server.db,
            'env["res.users"].browse(values["uid"])._bus_send(values["type"], '
            '{"from": "shell"})',
            {"uid": uid, "type": marker},
        )
        received = []
        while not any(marker in m for m in received):
            received.append(ws.recv())  # bounded by the 30 s socket timeout
        message = next(json.loads(m) for m in received if marker in m)
        assert message[0]["message"]["payload"] == {"from": "shell"}
    finally:
        ws.close()


def test_static_files_cached_by_nginx(server):
    browser = Browser(server.url)
    first = browser.get("/web/static/img/favicon.ico")
    second = browser.get("/web/static/img/favicon.ico")
    assert first[0] == second[0] == 200
    assert second[1].get("X-Cache-Status") == "HIT", second[1]
    assert first[2] == second[2]


def test_stranger_sees_the_center_and_no_sign_up(server, ops_env):
    browser = Browser(server.url)
    status, _headers, page = browser.get("/web/login")
    assert status == 200
    html = page.decode()
    name = ops.psql(
        ops_env.pg,
        server.db,
        "SELECT c.name FROM res_company c JOIN res_users u ON u.company_id = c.id "
        "WHERE u.id = 1",
    )[0][0]
    assert f'o_eldercare_center_name h5 mt-3 mb-0">{name}<' in html
    assert "/web/signup" not in html
    # a stranger who knows the URL is refused
    status, _headers, _body = browser.get("/web/signup")
    assert status == 404
    # the logo on the login page is the center's, not Odoo's "Your logo"
    status, _headers, body = browser.get("/web/binary/company_logo")
    assert status == 200
    expected = ops_env.shell(
        server.db,
        "import base64\n"
        "from odoo.tools.image import image_process\n"
        "with open(values['logo'], 'rb') as fh:\n"
        "    web = image_process(fh.read(), size=(180, 0))\n"
        "result(base64.b64encode(web).decode())",
        {"logo": LOGO},
    )
    assert body == base64.b64decode(expected)
    assert Image.open(io.BytesIO(body)).format == "PNG"
