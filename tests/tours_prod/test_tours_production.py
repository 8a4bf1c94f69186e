"""Every Odoo tour of the addons, in chromium against the production shape:
Odoo with 2 HTTP workers + cron worker + the gevent websocket, all behind
nginx, one server for all the tours (on a copy of the installed database).

HttpCase cannot do this: it serves the browser from Odoo's single-process
test server inside the test's own transaction (rolled back at the end, the
websocket disabled and ``NOTIFY imbus`` never sent), so what it shows is not
what a worker/gevent deployment does. Here each tour's data is the one its
HttpCase starter builds, committed on the copy before the server starts
(tour_data.py); what the starter's test does before the tour (the telephony
bridge's calls) goes through the bridge API over JSON-RPC; each tour runs as
the user it is written for, logged in through nginx; popups reach the
browser over the real bus (PostgreSQL NOTIFY -> gevent websocket -> nginx);
and what the tour did is read back from the database."""

import json
import os
import shlex
import shutil
import subprocess
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from cdp import Chromium
from stack import OdooBackend, new_workdir
from tour_data import MARKER

pytestmark = pytest.mark.timeout(600)

HERE = os.path.dirname(os.path.abspath(__file__))
DASHBOARD = "/odoo/action-eldercare_emergency.eldercare_alert_dashboard_action"


# -- before a tour: what its HttpCase test does before start_tour -------------
def _unknown_caller_alarm(odoo, browser, page):
    """The bridge raises an alarm of an unknown caller before the operator's
    page loads: listed on the dashboard and delivered by the bus when the
    browser connects (a fresh page gets the bus messages of the last 50 s).
    The page is loaded once before, in a chromium of its own, so that the
    asset build is not in those 50 s; that chromium is gone when the alarm is
    raised (its bus worker would take the message away from the next page)."""
    warm = Chromium(log_path=browser.log_path + ".warm").start()
    try:
        for cookie in browser.send("Network.getCookies", urls=[odoo.url])["cookies"]:
            warm.set_cookie(odoo.url, cookie["name"], cookie["value"])
        warm.open(page)
        warm.wait_for("!!document.querySelector('.o_eldercare_dashboard')")
    finally:
        warm.close()
    raised = odoo.rpc(
        "spooled_alerts",
        [{"linkedid": "prod-tour-1", "caller_num": "13011119999", "did": "8001"}],
    )
    assert raised and raised[0]["alert_id"], raised


def _hotline_call_ringing(odoo, browser, page):
    """A known elder calls the hotline, asks for an operator (IVR 0) and the
    operator's phone rings, as the telephony bridge reports it."""
    odoo.rpc(
        "agi_route_batch",
        [{"linkedid": "tour-call-1", "caller_num": "13900139075", "did": "7300"}],
    )
    odoo.rpc("ivr_choice", {"linkedid": "tour-call-1", "digits": "0"})
    odoo.rpc(
        "ami_events",
        [
            {
                "Event": "DialBegin",
                "Linkedid": "tour-call-1",
                "DestChannel": "PJSIP/7301-00000001",
            }
        ],
    )


# -- after a tour: what landed in the database --------------------------------
# (query, the starter's records it takes, the rows expected)
WORK_ORDER_ASSIGNED = (
    "SELECT o.state, o.price_unit::float, p.name FROM eldercare_work_order o "
    "JOIN res_partner p ON p.id = o.provider_id WHERE o.id = %s",
    ("order",),
    [["assigned", "66", "游客测试服务商"]],
)
ALERT_DISPATCHED = (
    "SELECT a.state, a.elder_id = %s, a.operator_id = %s, w.user_id = %s, "
    "w.origin, a.answered_at IS NOT NULL AND a.confirmed_at IS NOT NULL "
    "FROM eldercare_alert a LEFT JOIN eldercare_work_order w "
    "ON w.id = a.work_order_id WHERE a.caller_number = '13011110088'",
    ("elder", "operator", "worker"),
    [["dispatched", "t", "t", "t", "alert", "t"]],
)
# the unknown caller's alarm waits, untouched; the operator went off duty
UNKNOWN_ALARM_WAITS = (
    "SELECT a.state, a.elder_id IS NULL, u.eldercare_on_duty "
    "FROM eldercare_alert a, res_users u "
    "WHERE a.call_linkedid = 'prod-tour-1' AND u.id = %s",
    ("operator",),
    [["new", "t", "f"]],
)
CASCADE_CALLS_THE_DAUGHTER = (
    "SELECT a.cascade_state, t.number FROM eldercare_alert a "
    "JOIN eldercare_alert_cascade_attempt t ON t.alert_id = a.id "
    "WHERE a.caller_number = '13900139091'",
    (),
    [["running", "13900139092"]],
)
# the call back is queued for the bridge's dialer (no AMI from Odoo), and the
# elder's file lists the inbound call and the outbound one
CALL_BACK_QUEUED = (
    "SELECT r.channel, r.exten, r.state, string_agg(c.direction, ',' "
    "ORDER BY c.direction) FROM eldercare_dial_request r, eldercare_call c "
    "WHERE r.purpose = 'click_to_call' AND c.elder_id = %s "
    "GROUP BY r.channel, r.exten, r.state",
    ("elder",),
    [["PJSIP/7301", "13900139076", "queued", "inbound,outbound"]],
)
# the provider's order is done with the quantity and note typed in the
# portal, and the elder's request with it
PROVIDER_FINISHED_THE_JOB = (
    "SELECT o.state, o.quantity::float, r.state, (SELECT count(*) FROM "
    "mail_message m WHERE m.model = 'eldercare.work.order' AND m.res_id = o.id "
    "AND m.body LIKE '%%已更换锁芯%%') FROM eldercare_work_order o, "
    "eldercare_service_request r WHERE o.id = %s AND r.id = %s",
    ("order", "request"),
    [["done", "2", "done", "1"]],
)
# the relative's acceptance is on the open alert's chatter, for the operator
RELATIVE_ON_THE_WAY = (
    "SELECT a.state, count(m.id) FROM eldercare_alert a "
    "LEFT JOIN mail_message m ON m.model = 'eldercare.alert' "
    "AND m.res_id = a.id AND m.body LIKE '%%is on the way%%' "
    "WHERE a.elder_id = %s AND a.state = 'new' GROUP BY a.state",
    ("elder_a",),
    [["new", "1"]],
)


@dataclass(frozen=True)
class Tour:
    name: str  # the tour's name in web_tour.tours
    starter: str  # its HttpCase starter: <addon>.tests.<module>.<Class>
    login: str  # the user it is written for; {attr} of the starter's data
    url: str  # where it starts; {attr} of the starter's data
    before: Callable = None  # (odoo, browser, page): before the page loads
    checks: tuple = ()  # what it left in the database (see above)


BASE = "eldercare_base.tests.test_tour.TestEldercareBaseTour"
TOURS = [
    # operator: the elder file (reads only: nothing lands in the database)
    Tour(
        "eldercare_base_elder_file_tour",
        BASE,
        "tour_operator",
        "/odoo/action-eldercare_base.res_partner_elder_action",
    ),
    # operator: a work order assigned to the provider of the best contract
    Tour(
        "eldercare_base_work_order_tour",
        BASE,
        "tour_operator",
        "/odoo/action-eldercare_base.eldercare_work_order_action/{order}",
        checks=(WORK_ORDER_ASSIGNED,),
    ),
    # operator on duty: live popups over the bus, confirm, dispatch, off duty
    Tour(
        "eldercare_alert_popup_tour",
        "eldercare_emergency.tests.test_tour.TestAlertTour",
        "ec_tour_operator",
        DASHBOARD,
        before=_unknown_caller_alarm,
        checks=(ALERT_DISPATCHED, UNKNOWN_ALARM_WAITS),
    ),
    # operator on duty: Notify starts the responder cascade, shown live
    Tour(
        "eldercare_cascade_panel_tour",
        "eldercare_asterisk.tests.test_cascade_tour.TestCascadePanelTour",
        "ec_tour_cascade_operator",
        DASHBOARD,
        checks=(CASCADE_CALLS_THE_DAUGHTER,),
    ),
    # operator: the incoming call's popup, then the call back from the file
    Tour(
        "eldercare_call_popup_tour",
        "eldercare_asterisk.tests.test_tour.TestCallPopupTour",
        "ec_tour_pbx_operator",
        "/odoo",
        before=_hotline_call_ringing,
        checks=(CALL_BACK_QUEUED,),
    ),
    # provider portal user: accept, start and finish a work order
    Tour(
        "eldercare_household_provider_portal",
        "eldercare_household.tests.test_portal_tour.TestProviderPortalTour",
        "provider_a_test",
        "/my",
        checks=(PROVIDER_FINISHED_THE_JOB,),
    ),
    # relative portal user: the elder's page, accepting an alert's call-out
    Tour(
        "eldercare_family_portal",
        "eldercare_family_billing.tests.test_family_tour.TestFamilyPortalTour",
        "{relative_login}",
        "/my",
        checks=(RELATIVE_ON_THE_WAY,),
    ),
]


class TourOdoo(OdooBackend):
    """The production-shaped Odoo of the tours: the tours' data is committed
    on the database copy before the server starts."""

    def _configure(self):
        super()._configure()
        self.tour_data = self._prepare(sorted({t.starter for t in TOURS}))

    def _prepare(self, starters):
        e = os.environ
        script = (
            f"import sys\nsys.path.insert(0, {HERE!r})\n"
            f"from tour_data import prepare\nprepare(env, {starters!r})\n"
        )
        out = subprocess.run(
            [
                *shlex.split(e["EC_ODOO_CMD"]),
                "shell",
                *self.odoo_options(),
                "--no-http",
                "--logfile",
                os.path.join(self.workdir, "tour-data.log"),
            ],
            input=script,
            capture_output=True,
            text=True,
            timeout=600,
        )
        lines = [ln for ln in out.stdout.splitlines() if ln.startswith(MARKER)]
        assert out.returncode == 0 and lines, (
            f"odoo shell could not prepare the tours' data (rc {out.returncode}):\n"
            f"{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
        )
        return json.loads(lines[-1][len(MARKER) :])


@pytest.fixture(scope="module")
def odoo():
    missing = OdooBackend.missing_env()
    if missing:
        pytest.skip("real Odoo not configured: set " + ", ".join(missing))
    if not (shutil.which("chromium") or shutil.which("google-chrome")):
        pytest.skip("chromium not installed")
    workdir = new_workdir()
    backend = TourOdoo(workdir)
    try:
        # the websocket process too (the bridge login proved the HTTP workers)
        backend.server.wait_ready()
        yield backend
    finally:
        backend.stop()
        if not os.environ.get("EC_KEEP_LOGS"):
            shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def browser(odoo, request):
    """A fresh chromium per tour, as HttpCase starts one: nothing of the
    previous tour's user (cookies, storage, the bus's shared worker) stays."""
    log = os.path.join(odoo.workdir, f"chromium-{request.node.callspec.id}.log")
    chromium = Chromium(log_path=log).start()
    try:
        yield chromium
    finally:
        chromium.close()


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


def _log_in(odoo, browser, login):
    """A browser session of ``login`` (English, as HttpCase's)."""
    password = login + "-" + os.urandom(4).hex()
    # Odoo's CryptContext takes the plaintext and rehashes it at the login
    assert odoo.psql(
        "UPDATE res_users SET password = %s WHERE login = %s RETURNING id",
        password,
        login,
    ), f"no user {login}"
    odoo.psql(
        "UPDATE res_partner SET lang = 'en_US' WHERE id = "
        "(SELECT partner_id FROM res_users WHERE login = %s)",
        login,
    )
    browser.set_cookie(odoo.url, "session_id", _session(odoo, login, password))


@pytest.mark.parametrize("tour", TOURS, ids=[t.name for t in TOURS])
def test_tour_on_workers_behind_nginx(odoo, browser, tour):
    data = odoo.tour_data[tour.starter]
    assert "error" not in data, data.get("error")
    page = f"{odoo.url}{tour.url.format(**data)}?debug=tests"
    _log_in(odoo, browser, tour.login.format(**data))
    if tour.before:
        tour.before(odoo, browser, page)
    browser.open(page)
    browser.run_tour(tour.name, timeout=180)
    for sql, keys, expected in tour.checks:
        rows = odoo.psql(sql, *(data[key] for key in keys))
        assert rows == expected, f"{sql}: {rows}"
