"""Real Asterisk 22 + the bridge process + SIPp phones, against the real Odoo
(param "odoo") and the fake JSON-RPC Odoo (param "fake")."""

import json
import os
import random
import re
import socket
import time

import pytest
from stack import OperatorPhone, elder_call, wait_until

# a hang anywhere (Asterisk, Odoo, PostgreSQL) fails the test instead of the run
pytestmark = pytest.mark.timeout(300)

ELDER = "13800138000"  # certified demo elder (eldercare_base demo data)
EMERGENCY_DID = "8001"
SERVICE_DID = "8000"


def _linkedid_in_queue(stack, mark, queue, caller, timeout=10):
    def find():
        for e in stack.ami.events[mark:]:
            if (
                e.get("Event") == "QueueCallerJoin"
                and e.get("Queue") == queue
                and e.get("CallerIDNum") == caller
            ):
                return e["Linkedid"]
        return None

    return wait_until(find, timeout, message=f"{caller} joining {queue}")


def _events(stack, mark, **match):
    return [
        e
        for e in stack.ami.events[mark:]
        if all(str(e.get(k, "")).startswith(v) for k, v in match.items())
    ]


def _outer_leg(stack, mark, linkedid):
    """The caller's channel (the outer leg, ``;1``) of call ``linkedid``."""
    return wait_until(
        lambda: [
            e["Channel"]
            for e in _events(stack, mark, Event="Newchannel")
            if e.get("Linkedid") == linkedid and e["Channel"].endswith(";1")
        ],
        5,
        message=f"the caller's channel of {linkedid}",
    )[0]


def _wait(stack, mark, timeout=10, **match):
    return wait_until(
        lambda: _events(stack, mark, **match), timeout, message=f"AMI event {match}"
    )[0]


def _ivr_call(stack, caller):
    """Originate a call to the service line, wait for the IVR menu (Read) and
    return (event mark, linkedid, the caller's outer Local channel for DTMF)."""
    mark = len(stack.ami.events)
    stack.ami.originate(SERVICE_DID, caller)
    read = _wait(
        stack, mark, Event="Newexten", Context="eldercare-ivr", Application="Read"
    )
    linkedid = read["Linkedid"]
    outer = _outer_leg(stack, mark, linkedid)
    return mark, linkedid, outer


def _one_alert(stack, linkedid, timeout=10):
    rows = wait_until(
        lambda: stack.backend.alerts(linkedid),
        timeout,
        message=f"alert of call {linkedid}",
    )
    assert len(rows) == 1, rows
    return rows[0]


def test_certified_elder_sip_call_raises_alert_rings_operator_and_pops_up(clean_calls):
    stack = clean_calls
    mark, bus_mark = len(stack.ami.events), stack.backend.mark()
    sipp = elder_call(
        stack.asterisk.sip_port, EMERGENCY_DID, ELDER, stack.workdir, hold_ms=3000
    )
    linkedid = _linkedid_in_queue(stack, mark, "eldercare-emergency", ELDER)
    _one_alert(stack, linkedid)
    assert stack.backend.elder_of_alert(
        linkedid
    ), "the certified elder was not recognised"
    dial = wait_until(
        lambda: [
            e
            for e in _events(stack, mark, Event="DialBegin", DestChannel="PJSIP/100")
            if e.get("Linkedid") == linkedid
        ],
        10,
        message="an operator phone ringing",
    )
    assert dial
    popups = wait_until(
        lambda: stack.backend.popups(bus_mark, linkedid), 10, message="operator popup"
    )
    assert popups
    # operator 1001 (SIPp UAS) answers after 1 s
    wait_until(
        lambda: [
            e
            for e in _events(stack, mark, Event="AgentConnect")
            if e.get("Linkedid") == linkedid
        ],
        15,
        message="operator answering",
    )
    assert sipp.wait(40) == 0, "the elder's SIP call did not complete cleanly"
    assert not _events(stack, mark, Event="QueueCallerJoin", Queue="eldercare-service")
    time.sleep(0.5)
    assert len(stack.backend.alerts(linkedid)) == 1
    # the call log follows the forwarded AMI events: answered by 1001, ended
    log = wait_until(
        lambda: (stack.backend.call_log(linkedid) or {}).get("ended")
        and stack.backend.call_log(linkedid),
        15,
        message="call log answered and ended",
    )
    assert log["answered"], log
    assert log["operator_ext"] == "1001", log  # 1001 answers after 1 s, 1002 2.5 s


def test_emergency_originate_routes_to_emergency_queue_only(clean_calls):
    stack = clean_calls
    mark = len(stack.ami.events)
    stack.ami.originate(EMERGENCY_DID, ELDER)
    linkedid = _linkedid_in_queue(stack, mark, "eldercare-emergency", ELDER)
    _one_alert(stack, linkedid)
    assert not _events(stack, mark, Event="QueueCallerJoin", Queue="eldercare-service")


def test_unknown_caller_gets_ivr_and_household_digit_creates_request(clean_calls):
    stack = clean_calls
    caller = "139%08d" % random.randrange(10**8)
    mark, linkedid, outer = _ivr_call(stack, caller)
    stack.ami.action("PlayDTMF", Channel=outer, Digit="3", Duration="120")
    rows = wait_until(
        lambda: stack.backend.requests(linkedid),
        10,
        message="service request from digit 3",
    )
    assert len(rows) == 1
    _wait(
        stack,
        mark,
        Event="Newexten",
        Context="eldercare-ivr",
        Application="Playback",
        AppData="eldercare/request-received",
    )
    assert not stack.backend.alerts(linkedid)


def test_known_elder_statement_total_is_read_back(clean_calls):
    stack = clean_calls
    mark, linkedid, outer = _ivr_call(stack, ELDER)
    stack.ami.action("PlayDTMF", Channel=outer, Digit="8", Duration="120")
    say = wait_until(
        lambda: [
            e
            for e in _events(stack, mark, Event="Newexten", Application="ExecIf")
            if e.get("Linkedid") == linkedid and "SayNumber(" in e.get("AppData", "")
        ],
        15,
        message="SayNumber of the statement total",
    )
    number = re.search(r"SayNumber\((\d*)\)", say[0]["AppData"]).group(1)
    assert say[0]["AppData"].startswith("1?"), say[0]["AppData"]  # it was said
    assert number.isdigit(), say[0]["AppData"]
    if stack.backend.name == "fake":
        assert number == "123"  # the fake's total is 123.50


def test_odoo_unreachable_call_still_queued_alert_raised_once_after_recovery(
    clean_calls,
):
    stack = clean_calls
    mark = len(stack.ami.events)
    stack.backend.make_unreachable()
    try:
        t0 = time.monotonic()
        stack.ami.originate(EMERGENCY_DID, ELDER)
        linkedid = _linkedid_in_queue(stack, mark, "eldercare-emergency", ELDER)
        queued_after = time.monotonic() - t0
        assert (
            queued_after < 3
        ), f"emergency call took {queued_after:.1f} s to reach the queue"
        time.sleep(1.0)
        assert (
            not stack.backend.alerts(linkedid) if stack.backend.name == "fake" else True
        )
    finally:
        stack.backend.make_reachable()
    _one_alert(stack, linkedid, timeout=60)
    time.sleep(2)
    assert len(stack.backend.alerts(linkedid)) == 1
    assert "spooled" in stack.bridge.log()


def test_bridge_sigkill_and_restart_mid_call_no_loss_no_duplicate(clean_calls):
    stack = clean_calls
    mark = len(stack.ami.events)
    stack.ami.originate(EMERGENCY_DID, ELDER, wait=60)
    first = _linkedid_in_queue(stack, mark, "eldercare-emergency", ELDER)
    _one_alert(stack, first)
    stack.bridge.kill()  # SIGKILL, mid-call
    # a second elder calls while the bridge is dead: the dialplan still queues it
    other = "13700%06d" % random.randrange(10**6)
    stack.ami.originate(EMERGENCY_DID, other, wait=60)
    second = _linkedid_in_queue(stack, mark, "eldercare-emergency", other)
    stack.restart_bridge()
    _one_alert(stack, second, timeout=30)
    time.sleep(2)
    assert len(stack.backend.alerts(first)) == 1
    assert len(stack.backend.alerts(second)) == 1
    assert "AMI resync" in stack.bridge.log()


def test_ami_session_kicked_bridge_reconnects_and_keeps_forwarding(clean_calls):
    stack = clean_calls
    out = stack.asterisk.cli("manager show connected")
    sessions = [
        line.split()
        for line in out.splitlines()
        if line.strip().startswith("eldercare")
    ]
    assert len(sessions) >= 2  # the bridge and the test probe
    before = stack.bridge.log().count("AMI logged in")
    for fields in sessions:
        fd = fields[4] if len(fields) > 4 else None
        if fd and fd.isdigit():
            stack.asterisk.cli(f"manager kick session {fd}")
    wait_until(
        lambda: stack.bridge.log().count("AMI logged in") > before,
        15,
        message="bridge AMI reconnect",
    )
    wait_until(
        lambda: stack.ami.client.connected.is_set(), 15, message="probe reconnect"
    )
    mark, bus_mark = len(stack.ami.events), stack.backend.mark()
    stack.ami.originate(EMERGENCY_DID, ELDER)
    linkedid = _linkedid_in_queue(stack, mark, "eldercare-emergency", ELDER)
    _one_alert(stack, linkedid)
    wait_until(
        lambda: stack.backend.popups(bus_mark, linkedid),
        15,
        message="popup after AMI reconnect",
    )


def test_fuzzed_fastagi_and_hostile_caller_ids_bridge_stays_alive(clean_calls):
    stack = clean_calls
    rng = random.Random(99)
    port = int(stack.bridge_env["EC_AGI_PORT"])
    for _ in range(40):
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(
                bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000)))
            )
            sock.sendall(b"\n\n")
    hostile = ["anonymous", "'; DROP TABLE res_partner; --", "abc", "9" * 200, ""]
    mark = len(stack.ami.events)
    for caller in hostile:
        stack.ami.originate(EMERGENCY_DID, caller, wait=5)
    joined = wait_until(
        lambda: len(
            {
                e["Linkedid"]
                for e in _events(
                    stack, mark, Event="QueueCallerJoin", Queue="eldercare-emergency"
                )
            }
        )
        >= len(hostile)
        and _events(stack, mark, Event="QueueCallerJoin", Queue="eldercare-emergency"),
        20,
        message="every hostile call in the emergency queue",
    )
    for linkedid in {e["Linkedid"] for e in joined}:
        _one_alert(stack, linkedid, timeout=15)
    assert stack.bridge.alive()
    assert "rejected garbage connection" in stack.bridge.log()
    assert "caller id" in stack.bridge.log()


def test_ivr_emergency_key_raises_alert_and_uses_emergency_queue(clean_calls):
    stack = clean_calls
    caller = "135%08d" % random.randrange(10**8)
    mark, linkedid, outer = _ivr_call(stack, caller)
    stack.ami.action("PlayDTMF", Channel=outer, Digit="9", Duration="120")
    assert _linkedid_in_queue(stack, mark, "eldercare-emergency", caller) == linkedid
    _one_alert(stack, linkedid)
    assert not _events(stack, mark, Event="QueueCallerJoin", Queue="eldercare-service")


def test_ivr_emergency_key_with_odoo_frozen_goes_to_emergency_queue_alert_once(
    clean_calls,
):
    """Odoo frozen (SIGSTOP) while the caller presses the voice menu's
    emergency key: the emergency queue at once, the alarm spooled with its
    voice-menu kind and raised exactly once, as an emergency call, after Odoo
    resumes."""
    stack = clean_calls
    caller = "136%08d" % random.randrange(10**8)
    mark, linkedid, outer = _ivr_call(stack, caller)
    log_mark = len(stack.bridge.log())
    stack.backend.make_unreachable()
    try:
        t0 = time.monotonic()
        stack.ami.action("PlayDTMF", Channel=outer, Digit="9", Duration="120")
        assert (
            _linkedid_in_queue(stack, mark, "eldercare-emergency", caller, timeout=15)
            == linkedid
        )
        queued_after = time.monotonic() - t0
        assert queued_after < 6, f"the emergency key took {queued_after:.1f} s"
        wait_until(
            lambda: "voice-menu emergency key" in stack.bridge.log()[log_mark:],
            10,
            message="the alarm spooled by the bridge",
        )
        assert not stack.backend.alerts(linkedid), "Odoo is frozen: no alert yet"
    finally:
        stack.backend.make_reachable()
    _one_alert(stack, linkedid, timeout=60)
    # the spool settles (replayed or found raised by the late answer): still one
    wait_until(
        lambda: "raised 1 spooled alarm" in stack.bridge.log()[log_mark:],
        60,
        message="the spooled alarm settled",
    )
    assert len(stack.backend.alerts(linkedid)) == 1
    channel, type_code = stack.backend.alert_kind(linkedid)
    assert channel == "ivr"
    if stack.backend.name == "odoo":
        assert type_code == "emergency"
    assert not _events(stack, mark, Event="QueueCallerJoin", Queue="eldercare-service")


def test_nobody_answers_the_operators_queue_the_on_call_supervisor_rings(
    clean_calls,
):
    """Every operator seat unavailable: after the queue step's time, the
    on-call supervisor's phone (SIPp 1003) rings, and each step is written on
    the alert."""
    stack = clean_calls
    step_time = 5
    stack.backend.set_escalation([("queue", step_time), ("on_call", 20)])
    cache = os.path.join(stack.spool_dir, "bridge_config.json")

    def bridge_has_chain():
        # the bridge's copy of Odoo's chain (for a routing answer that is late)
        try:
            with open(cache) as fh:
                chain = json.load(fh).get("escalation_chain") or []
        except (OSError, ValueError):
            return False
        return [s.get("seconds") for s in chain] == [step_time, 20]

    wait_until(bridge_has_chain, 30, message="the bridge's copy of the chain")
    supervisor = OperatorPhone(
        "1003",
        stack.asterisk.sip_port,
        stack.asterisk.operator_secret,
        stack.workdir,
        ring_ms=1000,
    ).start()
    members = ("PJSIP/1001", "PJSIP/1002")
    for member in members:
        # the AMI user has no "agent" write right: the console pauses the seats
        stack.asterisk.cli(f"queue pause member {member} queue eldercare-emergency")
    shown = stack.asterisk.cli("queue show eldercare-emergency")
    assert shown.count("paused") >= 2, shown
    try:
        mark = len(stack.ami.events)
        stack.ami.originate(EMERGENCY_DID, ELDER, wait=60)
        linkedid = _linkedid_in_queue(stack, mark, "eldercare-emergency", ELDER)
        joined = time.monotonic()
        wait_until(
            lambda: [
                e
                for e in _events(
                    stack, mark, Event="DialBegin", DestChannel="PJSIP/1003"
                )
                if e.get("Linkedid") == linkedid
            ],
            step_time + 10,
            message="the on-call supervisor's phone ringing",
        )
        rang_after = time.monotonic() - joined
        assert rang_after < step_time + 3, f"1003 rang after {rang_after:.1f} s"
        assert not [
            e
            for e in _events(stack, mark, Event="DialBegin")
            if e.get("Linkedid") == linkedid
            and str(e.get("DestChannel", "")).startswith(members)
        ], "a paused operator seat rang"
        steps = wait_until(
            lambda: len(stack.backend.escalation_steps(linkedid)) >= 2
            and stack.backend.escalation_steps(linkedid),
            15,
            message="the escalation steps on the alert",
        )
        assert [str(step) for step, _target in steps[:2]] == ["1", "2"]
        assert steps[0][1] == "queue" and steps[1][1].startswith("PJSIP/1003")
    finally:
        for member in members:
            stack.asterisk.cli(
                f"queue unpause member {member} queue eldercare-emergency"
            )
        supervisor.stop()
        stack.backend.set_escalation(None)


def test_bridge_dead_for_a_whole_emergency_call_alert_raised_once_when_back(
    clean_calls,
):
    """The bridge is killed before an emergency call and started again only
    after the caller hung up: the dialplan's AstDB record raises the alert,
    once (a second restart raises nothing more)."""
    stack = clean_calls
    stack.bridge.kill()
    caller = "13500%06d" % random.randrange(10**6)
    mark = len(stack.ami.events)
    stack.ami.originate(EMERGENCY_DID, caller, wait=60)
    linkedid = _linkedid_in_queue(stack, mark, "eldercare-emergency", caller)
    outer = _outer_leg(stack, mark, linkedid)
    stack.ami.action("Hangup", Channel=outer)
    wait_until(
        lambda: [
            e
            for e in _events(stack, mark, Event="Hangup")
            if e.get("Linkedid") == linkedid
        ],
        10,
        message="the caller hanging up",
    )
    assert not stack.backend.alerts(
        linkedid
    ), "nobody raised it while the bridge was dead"
    log_mark = len(stack.bridge.log())
    stack.restart_bridge()
    _one_alert(stack, linkedid, timeout=60)
    wait_until(
        lambda: "found in AstDB" in stack.bridge.log()[log_mark:]
        and re.search(r"raised \d+ spooled alarm", stack.bridge.log()[log_mark:]),
        30,
        message="the AstDB record raised through the spool",
    )
    stack.bridge.stop()
    log_mark = len(stack.bridge.log())
    stack.restart_bridge()
    wait_until(
        lambda: "AMI resync" in stack.bridge.log()[log_mark:],
        30,
        message="the bridge back again",
    )
    assert len(stack.backend.alerts(linkedid)) == 1
