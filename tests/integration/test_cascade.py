"""Responder cascade against the real Asterisk 22, the bridge's dialer and a
real Odoo (tier "asterisk").

The responders' phones:
* relative 1: a SIPp phone behind the test trunk that rings and never answers
  (``operator_uas.xml`` with a ring time longer than the test), reached through
  the shipped ``eldercare-dialer-out`` context;
* relative 2 (and the refusing relatives): **Local channels** of the shipped
  training context ``eldercare-dialer-sim`` (``1999<k>...``: answers, then
  ``SendDTMF(<k>)``), so the DTMF digit travels through Asterisk's channel
  core into the dialplan's ``Read()`` exactly like a phone's key;
* relative 3: a number nobody may ever call.

Odoo's outbound dialplan context is switched to ``eldercare-dialer-sim`` for
the test; numbers outside the sim patterns go on to ``eldercare-dialer-out``.
"""

import os
import subprocess
import time

import pytest
from stack import (
    HarnessUnavailable,
    OdooBackend,
    Stack,
    _render_scenario,
    execute_kw,
    new_workdir,
    remove_workdir,
    set_params,
    sipp_uas_command,
    skip_unless_real_odoo,
    wait_until,
)

NO_ANSWER = "13912340001"
ACCEPTS = "19991000002"  # sim: answers and presses 1
NEVER = "19991000003"  # would accept; must never be called
REFUSES = ("19992000011", "19992000012", "19992000013")  # sim: press 2


class RingingPhone:
    """SIPp on the test trunk's address: every INVITE rings, none answered."""

    def __init__(self, port, workdir):
        self.port = port
        self.workdir = workdir
        self.messages = os.path.join(workdir, "sipp-trunk-messages.log")
        self.proc = None

    def start(self):
        scenario = _render_scenario(
            "operator_uas.xml", self.workdir, RING_MS=10 * 60 * 1000
        )
        self.proc = subprocess.Popen(
            sipp_uas_command(
                scenario, self.port, "-trace_msg", "-message_file", self.messages
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            cwd=self.workdir,
        )
        time.sleep(0.3)
        return self

    def invites(self):
        try:
            with open(self.messages, errors="replace") as fh:
                text = fh.read()
        except OSError:
            return []
        return [
            line.split()[1]
            for line in text.splitlines()
            if line.startswith("INVITE sip:")
        ]

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


class Admin:
    """JSON-RPC as an Odoo user (admin by default; password set for the copied
    database)."""

    def __init__(self, backend, login="admin"):
        self.backend = backend
        self.password = f"{login}-" + os.urandom(6).hex()
        rows = backend.psql(
            "UPDATE res_users SET password = %s WHERE login = %s RETURNING id",
            self.password,
            login,
        )
        self.uid = int(rows[0][0])

    def __call__(self, model, method, *args, **kwargs):
        return execute_kw(
            self.backend.url,
            self.backend.db,
            self.uid,
            self.password,
            model,
            method,
            args,
            kwargs,
        )


@pytest.fixture(scope="module")
def cascade_stack():
    skip_unless_real_odoo(asterisk=True)
    workdir = new_workdir()
    backend = OdooBackend(workdir)
    st = phone = None
    try:
        try:
            st = Stack(backend, workdir)
        except HarnessUnavailable as exc:
            pytest.skip(f"real Asterisk unavailable: {exc}")
        # per-call speech: the bridge writes the elder's name where Asterisk
        # finds sounds (make_prompts.sh created the directory)
        st.bridge.stop()
        st.bridge_env["EC_TTS_DIR"] = os.path.join(
            st.asterisk.root, "usr", "share", "asterisk", "sounds", "eldercare-tts"
        )
        st.restart_bridge()
        phone = RingingPhone(st.asterisk.trunk_port, workdir).start()
        admin = Admin(backend)
        params = {
            "eldercare_asterisk.dial_out_context": "eldercare-dialer-sim",
            "eldercare_asterisk.cascade_ring_seconds": "6",
            "eldercare_asterisk.cascade_passes": "1",
            "eldercare_asterisk.center_callback_number": "8000",
        }
        set_params(admin, params)
        yield st, admin, phone
    finally:
        if phone:
            phone.stop()
        if st:
            st.close()
        backend.stop()
        remove_workdir(workdir)


def make_alert(admin, tag, relatives):
    cascade_type = admin(
        "eldercare.alert.type",
        "create",
        {"name": f"Fall {tag}", "code": f"fall_{tag}", "cascade_on_confirm": True},
    )
    elder = admin(
        "res.partner",
        "create",
        {
            "name": f"测试长者{tag}",
            "is_elder": True,
            "relative_ids": [
                [
                    0,
                    0,
                    {"name": name, "relation": "son", "phone": number, "sequence": i},
                ]
                for i, (name, number) in enumerate(relatives, 1)
            ],
        },
    )
    alert = admin(
        "eldercare.alert",
        "create",
        {"elder_id": elder, "type_id": cascade_type, "channel": "manual"},
    )
    return alert


def attempts(admin, alert):
    return admin(
        "eldercare.alert.cascade.attempt",
        "search_read",
        [("alert_id", "=", alert)],
        ["name", "number", "result", "digit", "answered_at", "started_at", "state"],
        order="id",
    )


def confirm_and_wait(admin, alert, cascade_state, message):
    """Confirm ``alert`` (its cascade starts) and wait for ``cascade_state``."""
    admin("eldercare.alert", "action_confirm", [alert])
    wait_until(lambda: alert_state(admin, alert) == cascade_state, 60, 0.2, message)


def alert_state(admin, alert):
    return admin("eldercare.alert", "read", [alert], ["cascade_state"])[0][
        "cascade_state"
    ]


def test_no_answer_then_acceptance_stops_the_cascade(cascade_stack):
    stack, admin, phone = cascade_stack
    alert = make_alert(
        admin,
        "accept",
        [("一号 不接", NO_ANSWER), ("二号 接受", ACCEPTS), ("三号", NEVER)],
    )
    confirm_and_wait(admin, alert, "accepted", "the cascade accepted by relative 2")
    rows = attempts(admin, alert)
    assert [(r["number"], r["result"]) for r in rows] == [
        (NO_ANSWER, "no_answer"),
        (ACCEPTS, "accepted"),
    ], rows
    assert rows[1]["digit"] == "1"
    assert rows[1]["answered_at"] and not rows[0]["answered_at"]
    assert all(r["state"] == "done" for r in rows)
    # relative 1's phone really rang (SIPp got the INVITE through the trunk)
    assert any(NO_ANSWER in uri for uri in phone.invites()), phone.invites()
    # relative 3 was never called: no attempt, and no channel for the number
    assert not stack.ami.find(Event="Newchannel", Channel=f"Local/{NEVER}@")
    assert not [r for r in rows if r["number"] == NEVER]
    # the accepting call heard the Mandarin message with the elder's name
    reads = [
        e
        for e in stack.ami.find(Event="Newexten", Application="Read")
        if e.get("Context") == "eldercare-dialer"
    ]
    assert reads, "the dialplan read the key"
    assert "eldercare-tts/" in reads[-1].get("AppData", ""), reads[-1]
    assert "eldercare/digit-8" in reads[-1]["AppData"]


def test_everybody_refuses_then_the_supervisor_is_told(cascade_stack):
    _stack, admin, _phone = cascade_stack
    alert = make_alert(
        admin, "refuse", [(f"拒绝{i}", n) for i, n in enumerate(REFUSES, 1)]
    )
    confirm_and_wait(admin, alert, "exhausted", "every relative refused")
    rows = attempts(admin, alert)
    assert [(r["number"], r["result"], r["digit"]) for r in rows] == [
        (n, "refused", "2") for n in REFUSES
    ], rows
    activities = admin(
        "mail.activity",
        "search_read",
        [("res_model", "=", "eldercare.alert"), ("res_id", "=", alert)],
        ["summary", "user_id"],
    )
    assert activities and all(
        "No responder accepted" in a["summary"] for a in activities
    )
    group = admin(
        "ir.model.data",
        "check_object_reference",
        "eldercare_base",
        "group_eldercare_supervisor",
    )[1]
    supervisors = admin("res.users", "search", [("groups_id", "in", [group])])
    assert {a["user_id"][0] for a in activities} <= set(supervisors)


def test_click_to_call_goes_through_the_dialer(cascade_stack):
    """The operator's Call button: the dialer rings the operator's phone
    (SIPp 1001 answers), then Asterisk dials the elder through the trunk."""
    stack, admin, phone = cascade_stack
    operator_id = admin("res.users", "search", [("eldercare_extension", "=", "1001")])
    assert operator_id, "demo operator with extension 1001"
    login = admin("res.users", "read", operator_id, ["login"])[0]["login"]
    operator = Admin(stack.backend, login)
    number = "13912340099"
    elder = admin(
        "res.partner",
        "create",
        {"name": "外呼测试", "is_elder": True, "mobile": number},
    )
    action = operator("res.partner", "action_eldercare_call", [elder])
    assert action["params"]["type"] == "info", action
    request = wait_until(
        lambda: admin(
            "eldercare.dial.request",
            "search_read",
            [("number", "=", number), ("state", "in", ("answered", "done"))],
            ["purpose", "channel", "answered_at"],
        ),
        30,
        0.2,
        "the operator's phone answered the dialer's call",
    )[0]
    assert request["purpose"] == "click_to_call"
    assert request["channel"] == "PJSIP/1001"
    wait_until(
        lambda: any(number in uri for uri in phone.invites()),
        20,
        0.2,
        "the elder's number dialled through the trunk",
    )
    stack.ami.hangup_all()
