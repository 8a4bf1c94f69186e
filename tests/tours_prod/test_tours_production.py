"""The operator's live alert popup tour (``eldercare_alert_popup_tour`` of
eldercare_emergency) in chromium against the production shape: Odoo with 2
HTTP workers + cron worker + the gevent websocket, all behind nginx.

HttpCase cannot do this: it serves the browser from Odoo's single-process
test server inside the test's own transaction (rolled back at the end, the
websocket disabled and ``NOTIFY imbus`` never sent), so what it shows is not
what a worker/gevent deployment does. Here the data is committed through
JSON-RPC, the first alarm is raised by the bridge API (as the telephony
bridge does), the popup reaches the browser over the real bus (PostgreSQL
NOTIFY -> gevent websocket -> nginx), and the outcome is read back from the
database."""

import json
import os
import shutil
import urllib.request

import pytest
from cdp import Chromium
from stack import OdooBackend, new_workdir
from test_cascade import Admin as RpcUser

pytestmark = pytest.mark.timeout(600)

DASHBOARD = "/odoo/action-eldercare_emergency.eldercare_alert_dashboard_action"


@pytest.fixture(scope="module")
def odoo():
    missing = OdooBackend.missing_env()
    if missing:
        pytest.skip("real Odoo not configured: set " + ", ".join(missing))
    if not (shutil.which("chromium") or shutil.which("google-chrome")):
        pytest.skip("chromium not installed")
    workdir = new_workdir()
    backend = OdooBackend(workdir)
    try:
        yield backend
    finally:
        backend.stop()
        if not os.environ.get("EC_KEEP_LOGS"):
            shutil.rmtree(workdir, ignore_errors=True)


class Admin(RpcUser):
    """JSON-RPC as admin, and the users and references a tour's data needs."""

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        rows = self(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            ["res_id"],
        )
        return rows[0]["res_id"]

    def user(self, login, name, groups, **extra):
        vals = {
            "login": login,
            "name": name,
            "lang": "en_US",
            # as new_test_user does: Odoo refuses to post chatter for a
            # sender without an email ("configure the sender's email")
            "email": f"{login}@example.com",
            "groups_id": [(6, 0, [self.ref(g) for g in groups])],
            **extra,
        }
        uid = self("res.users", "create", [vals])[0]
        password = login + "-" + os.urandom(4).hex()
        self.backend.psql(
            "UPDATE res_users SET password = %s WHERE id = %s", password, uid
        )
        return uid, password


def _session(backend, login, password):
    body = json.dumps(
        {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"db": backend.db, "login": login, "password": password},
        }
    ).encode()
    req = urllib.request.Request(
        backend.url + "/web/session/authenticate",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        reply = json.load(resp)
        cookie = resp.headers.get("Set-Cookie", "")
    assert "error" not in reply, reply
    return cookie.split("session_id=", 1)[1].split(";", 1)[0]


def test_alert_popup_tour_on_workers_behind_nginx(odoo):
    admin = Admin(odoo)
    city = admin("eldercare.area", "create", [{"name": "Tour City", "level": "city"}])
    community = admin(
        "eldercare.area",
        "create",
        [{"name": "Tour Community", "level": "community", "parent_id": city[0]}],
    )[0]
    worker, _pw = admin.user(
        "ec_prod_tour_worker",
        "Tour Worker",
        ["base.group_user", "eldercare_base.group_eldercare_worker"],
    )
    operator, operator_pw = admin.user(
        "ec_prod_tour_operator",
        "Tour Operator",
        ["base.group_user", "eldercare_base.group_eldercare_operator"],
    )
    admin("res.users", "write", [operator], {"eldercare_on_duty": True})
    condition = admin(
        "eldercare.health.condition", "create", [{"name": "Tour Hypertension"}]
    )[0]
    elder = admin(
        "res.partner",
        "create",
        [
            {
                "name": "Wang Tour",
                "is_elder": True,
                "elder_gender": "male",
                "community_id": community,
                "worker_id": worker,
                "health_condition_ids": [(4, condition)],
                "elder_phone_ids": [
                    (0, 0, {"number": "13011110088", "phone_type": "emergency_button"})
                ],
                "relative_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Tour Grandson",
                            "relation": "grandchild",
                            "phone": "13900139088",
                            "work_unit": "Tour Steel Works",
                        },
                    )
                ],
            }
        ],
    )[0]
    browser = Chromium(log_path=os.path.join(odoo.workdir, "chromium.log")).start()
    try:
        browser.set_cookie(
            odoo.url, "session_id", _session(odoo, "ec_prod_tour_operator", operator_pw)
        )
        page = f"{odoo.url}{DASHBOARD}?debug=tests"
        # a first load builds the test assets (tens of seconds on a busy
        # machine): the alarm below must still be among the bus messages of
        # the last 50 s a fresh page receives
        browser.open(page)
        browser.wait_for("!!document.querySelector('.o_eldercare_dashboard')")
        # the first alarm comes from the telephony bridge before the page loads
        raised = odoo.rpc(
            "spooled_alerts",
            [{"linkedid": "prod-tour-1", "caller_num": "13011119999", "did": "8001"}],
        )
        assert raised and raised[0]["alert_id"], raised
        browser.open(page)
        browser.run_tour("eldercare_alert_popup_tour", timeout=180)
    finally:
        browser.close()
    rows = odoo.psql(
        "SELECT a.state, a.elder_id, a.operator_id, w.user_id, w.origin, "
        "a.answered_at IS NOT NULL AND a.confirmed_at IS NOT NULL "
        "FROM eldercare_alert a LEFT JOIN eldercare_work_order w "
        "ON w.id = a.work_order_id WHERE a.caller_number = '13011110088'"
    )
    assert rows == [
        ["dispatched", str(elder), str(operator), str(worker), "alert", "t"]
    ], rows
