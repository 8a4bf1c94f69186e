"""Daily check-in calls against the real Asterisk 22, the bridge's dialer and
a real Odoo (tier "asterisk").

The elders' phones are Local channels of the shipped training context
``eldercare-dialer-sim`` (``extensions_dialer.conf``): ``1999<k>...`` answers
and presses <k> (0: silence), ``1996<k>...`` answers and presses <k> only
after 8 s (still on the line while the bridge restarts). Inbound calls are
Local channels into ``eldercare-inbound`` (like an elder's phone).
Retries are 2 s apart (``eldercare_care_calls.checkin_retry_seconds``).
"""

import datetime
import random
import time
import zoneinfo

import pytest
from stack import set_params, wait_until
from test_cascade import cascade_stack  # noqa: F401 - the shared stack fixture

SERVICE_DID = "8000"
TZ = "Asia/Shanghai"


@pytest.fixture(scope="module")
def checkin_stack(cascade_stack):  # noqa: F811 - the fixture, by name
    """The cascade's stack (real Asterisk, bridge, Odoo; dialer on the sim
    context) with the check-in settings."""
    st, admin, _phone = cascade_stack
    params = {
        "eldercare_asterisk.dial_max_channels": "6",
        "eldercare_care_calls.checkin_ring_seconds": "6",
        "eldercare_care_calls.checkin_retry_seconds": "2",
    }
    set_params(admin, params)
    return st, admin


def local_hours(delta_minutes=0, tz=TZ):
    now = datetime.datetime.now(zoneinfo.ZoneInfo(tz)) + datetime.timedelta(
        minutes=delta_minutes
    )
    return now.hour + now.minute / 60.0


def window_from_now(minutes):
    """An elder's timezone and a window of theirs from a minute ago to
    ``minutes`` ahead that lies on the center's today (the planner's day is the
    center's, Asia/Shanghai): in the center's own timezone, or, in its last
    hour, one twelve hours behind it (UTC-4). In the center's last minute the
    test waits for its midnight, so that the day cannot turn between this
    choice and the planning."""
    now = datetime.datetime.now(zoneinfo.ZoneInfo(TZ))
    to_midnight = 86400 - (now.hour * 3600 + now.minute * 60 + now.second)
    if to_midnight < 60:
        time.sleep(to_midnight + 1)
    tz = TZ if local_hours(minutes) > local_hours() else "Etc/GMT+4"
    start = local_hours(-1, tz)
    if start > local_hours(0, tz):  # the center's first minute
        start = 0.0
    return tz, (start, local_hours(minutes, tz))


def make_elders(admin, numbers, retries=1, window=None, registered=(), tz=TZ):
    """One elder and plan per number; returns the plan ids in order. The
    ``registered`` numbers are on file as the elder's phone (caller lookup)."""
    start, end = window or (0.0, 24.0)
    plans = []
    for number in numbers:
        vals = {"name": f"长者{number[-4:]}", "is_elder": True, "tz": tz}
        vals["mobile"] = number
        if number in registered:
            vals["elder_phone_ids"] = [
                [0, 0, {"number": number, "phone_type": "mobile"}]
            ]
        elder = admin("res.partner", "create", vals)
        plans.append(
            admin(
                "eldercare.checkin.plan",
                "create",
                {
                    "elder_id": elder,
                    "window_start": start,
                    "window_end": end,
                    "retries": retries,
                    "retry_minutes": 1,
                },
            )
        )
    return plans


def plan_today(admin, plans, due_now=True):
    """Plan today's check-ins; ``due_now``: all first calls now (the planner
    spreads them over the window)."""
    admin("eldercare.checkin.plan", "action_plan_today", plans[:1])
    if due_now:
        ids = [r["id"] for r in attempts(admin, plans)]
        now = datetime.datetime.now(datetime.timezone.utc)
        admin(
            "eldercare.checkin.attempt",
            "write",
            ids,
            {"next_call_at": now.strftime("%Y-%m-%d %H:%M:%S")},
        )


def attempts(admin, plans):
    return admin(
        "eldercare.checkin.attempt",
        "search_read",
        [("plan_id", "in", plans)],
        ["plan_id", "state", "result", "tries", "digit", "alert_id", "request_id"],
        order="plan_id",
    )


def requests_of(admin, attempt_ids):
    return admin(
        "eldercare.dial.request",
        "search_read",
        [
            ("res_model", "=", "eldercare.checkin.attempt"),
            ("res_id", "in", attempt_ids),
        ],
        ["res_id", "state", "result", "digit", "number"],
        order="id",
    )


def wait_states(admin, plans, states, timeout, what):
    try:
        return wait_until(
            lambda: (
                (rows := attempts(admin, plans))
                and len(rows) == len(plans)
                and all(r["state"] in states for r in rows)
                and rows
            ),
            timeout,
            0.3,
            what,
        )
    except AssertionError as exc:
        # what each attempt and its calls came to, for the one reading CI
        rows = attempts(admin, plans)
        calls = requests_of(admin, [r["id"] for r in rows])
        raise AssertionError(f"{exc}: attempts {rows}, calls {calls}") from None


def unique(prefix):
    return prefix + "%06d" % random.randrange(10**6)


def test_key_1_checks_in_and_key_9_raises_an_emergency(checkin_stack):
    _stack, admin = checkin_stack
    fine, help_ = unique("19991"), unique("19999")
    plans = make_elders(admin, [fine, help_])
    plan_today(admin, plans)
    rows = wait_states(admin, plans, {"checked_in", "help"}, 60, "both answered")
    by_plan = {r["plan_id"][0]: r for r in rows}
    assert by_plan[plans[0]]["state"] == "checked_in", rows
    assert by_plan[plans[0]]["digit"] == "1"
    helped = by_plan[plans[1]]
    assert helped["state"] == "help" and helped["digit"] == "9", rows
    alert = admin(
        "eldercare.alert",
        "read",
        [helped["alert_id"][0]],
        ["type_id", "elder_id", "state", "caller_number"],
    )[0]
    code = admin("eldercare.alert.type", "read", [alert["type_id"][0]], ["code"])
    assert code[0]["code"] == "emergency"
    assert alert["caller_number"] == help_
    reqs = requests_of(admin, [r["id"] for r in rows])
    assert len(reqs) == 2 and all(r["result"] == "answered" for r in reqs), reqs


def test_silence_is_retried_then_a_missed_checkin_alert(checkin_stack):
    _stack, admin = checkin_stack
    silent = unique("19990")
    plans = make_elders(admin, [silent], retries=1)
    plan_today(admin, plans)
    # a silent call lasts ~50 s (the message and the wait for a key, twice)
    (row,) = wait_states(admin, plans, {"missed"}, 240, "missed after the retry")
    assert row["tries"] == 2, row
    assert row["result"] == "no_digit", row
    reqs = requests_of(admin, [row["id"]])
    assert [r["result"] for r in reqs] == ["answered", "answered"], reqs
    assert all(not r["digit"] for r in reqs)
    alert = admin(
        "eldercare.alert",
        "read",
        [row["alert_id"][0]],
        ["type_id", "channel", "state"],
    )[0]
    code = admin("eldercare.alert.type", "read", [alert["type_id"][0]], ["code"])
    assert code[0]["code"] == "missed_checkin"
    assert alert["channel"] == "checkin"


def test_inbound_call_inside_the_window_checks_in_without_a_call(checkin_stack):
    stack, admin = checkin_stack
    # two plans in one window, spread in the order they were made: the first
    # is called at once, the second's call is due half-way through the window;
    # the elder calls in before (near the center's midnight the elders live
    # in a timezone where the hour still falls on the center's day)
    tz, window = window_from_now(60)
    other, caller = unique("19991"), "137" + "%08d" % random.randrange(10**8)
    plans = make_elders(
        admin, [other, caller], retries=0, window=window, registered=[caller], tz=tz
    )
    plan_today(admin, plans, due_now=False)
    stack.ami.originate(SERVICE_DID, caller, wait=5)
    try:
        rows = wait_states(admin, plans, {"checked_in"}, 60, "both checked in")
    except AssertionError as exc:
        # which way Odoo learnt of the elder's call, if at all (the routing
        # lookup, the AMI events): the call log, the bridge's lines, the AMI
        # channel events of the caller
        calls = admin(
            "eldercare.call",
            "search_read",
            [("caller_number", "like", caller[-8:])],
            ["linkedid", "direction", "route", "did", "elder_id", "channel"],
        )
        lines = [ln for ln in stack.bridge.log().splitlines() if caller in ln]
        channels = [
            {k: e.get(k) for k in ("Event", "Channel", "CallerIDNum", "Linkedid")}
            for e in stack.ami.events
            if e.get("Event") in ("Newchannel", "NewCallerid")
            and caller in str(e.get("CallerIDNum", ""))
        ]
        raise AssertionError(
            f"{exc}; calls of {caller}: {calls}; bridge: {lines}; AMI: {channels}"
        ) from None
    by_plan = {r["plan_id"][0]: r for r in rows}
    inbound = by_plan[plans[1]]
    assert inbound["result"] == "inbound", rows
    assert not inbound["request_id"], "no outbound call for the elder who called"
    assert not requests_of(admin, [inbound["id"]])
    assert not stack.ami.find(Event="Newchannel", Channel=f"Local/{caller}@")


def test_bridge_restart_mid_round_loses_and_repeats_no_attempt(checkin_stack):
    stack, admin = checkin_stack
    numbers = [unique("19961") for _i in range(3)]
    plans = make_elders(admin, numbers, retries=0)
    plan_today(admin, plans)
    ids = wait_until(
        lambda: (
            (rows := attempts(admin, plans))
            and len(rows) == 3
            and (reqs := requests_of(admin, [r["id"] for r in rows]))
            and len(reqs) == 3
            and all(r["state"] == "answered" for r in reqs)
            and [r["id"] for r in rows]
        ),
        40,
        0.2,
        "all three calls answered",
    )
    stack.bridge.kill()  # SIGKILL: nothing flushed
    stack.restart_bridge()
    rows = wait_states(admin, plans, {"checked_in"}, 60, "all checked in")
    assert all(r["tries"] == 1 and r["digit"] == "1" for r in rows), rows
    reqs = requests_of(admin, ids)
    assert len(reqs) == 3, f"a call was placed twice: {reqs}"
    assert all(r["result"] == "answered" and r["digit"] == "1" for r in reqs), reqs
    assert "adopted" in stack.bridge.log()
