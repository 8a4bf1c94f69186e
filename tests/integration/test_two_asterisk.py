"""Two Asterisk servers, each with its own bridge and its own ``systemname``,
against the same Odoo (issue 17 point 3, telephony side).

Two Asterisks started in the same second number their calls alike
(``<epoch>.<n>``); Odoo raises one alert per linkedid, so without a
``systemname`` per server two elders' alarms would become one. Each server
here has its own name, and calls placed on both at the same time (SIPp phones
on the emergency line) must raise one alert each: none merged, none
duplicated, every call-log row with its own linkedid."""

import os

import pytest
from stack import (
    FakeBackend,
    HarnessUnavailable,
    OdooBackend,
    Stack,
    elder_call,
    new_workdir,
    remove_workdir,
    skip_unless_real_odoo,
    wait_until,
)

pytestmark = pytest.mark.timeout(400)

EMERGENCY_DID = "8001"
# certified demo elders (eldercare_base demo data)
CALLERS = {"pbx-a": ["13800138000", "13800138001"], "pbx-b": ["13800138002"]}


@pytest.fixture(scope="module", params=["odoo", "fake"])
def two_servers(request):
    workdir = new_workdir()
    if request.param == "odoo":
        skip_unless_real_odoo(asterisk=True)
        backend = OdooBackend(workdir)
    else:
        backend = FakeBackend()
    stacks = []
    try:
        for name in CALLERS:
            sub = os.path.join(workdir, name)
            os.makedirs(sub)
            try:
                stacks.append(
                    Stack(
                        backend,
                        sub,
                        systemname=name,
                        bridge_extra_env={"EC_BRIDGE_NAME": f"bridge-{name}"},
                    )
                )
            except HarnessUnavailable as exc:
                pytest.skip(f"real Asterisk unavailable: {exc}")
        yield backend, stacks
    finally:
        for st in stacks:
            st.close()
        backend.stop()
        remove_workdir(workdir)


def _joined(stack, mark, caller):
    for e in stack.ami.events[mark:]:
        if (
            e.get("Event") == "QueueCallerJoin"
            and e.get("Queue") == "eldercare-emergency"
            and e.get("CallerIDNum") == caller
        ):
            return e["Linkedid"]
    return None


def test_calls_on_both_servers_raise_one_alert_each(two_servers):
    backend, stacks = two_servers
    marks = [len(st.ami.events) for st in stacks]
    procs = []
    # every call on both servers at once
    for st in stacks:
        for caller in CALLERS[st.asterisk.systemname]:
            procs.append(
                elder_call(
                    st.asterisk.sip_port,
                    EMERGENCY_DID,
                    caller,
                    st.workdir,
                    hold_ms=4000,
                )
            )
    try:
        linkedids = {}
        for st, mark in zip(stacks, marks, strict=True):
            for caller in CALLERS[st.asterisk.systemname]:
                linkedids[(st.asterisk.systemname, caller)] = wait_until(
                    lambda st=st, mark=mark, caller=caller: _joined(st, mark, caller),
                    30,
                    message=f"{caller} in {st.asterisk.systemname}'s emergency queue",
                )
        # each server names its calls: the linkedids are distinct and carry
        # the server's systemname
        assert len(set(linkedids.values())) == len(linkedids), linkedids
        for (name, _caller), linkedid in linkedids.items():
            assert linkedid.startswith(f"{name}-"), (name, linkedid)
        # one alert per call: none merged, none duplicated
        wait_until(
            lambda: all(backend.alert_counts(list(linkedids.values())).values()),
            30,
            message="an alert for every call",
        )
        counts = backend.alert_counts(list(linkedids.values()))
        assert counts == {lid: 1 for lid in linkedids.values()}, counts
        if backend.name == "odoo":
            # each alert is its own caller's (three different demo elders)
            elders = {lid: backend.elder_of_alert(lid) for lid in linkedids.values()}
            assert all(elders.values()), elders
            assert len(set(elders.values())) == len(elders), elders
            # every call's log row carries its own linkedid
            rows = backend.psql(
                "SELECT linkedid, caller_number FROM eldercare_call "
                "WHERE linkedid = ANY(string_to_array(%s, ','))",
                ",".join(linkedids.values()),
            )
            by_lid = dict(rows)
            assert len(rows) == len(by_lid) == len(linkedids), rows
            for (_name, caller), linkedid in linkedids.items():
                assert by_lid[linkedid] == caller
    finally:
        for proc in procs:
            try:
                proc.wait(60)
            except Exception:
                proc.kill()
        for st in stacks:
            st.ami.hangup_all()
