"""Outbound calls dial only the number patterns allowed in Odoo, and the
dialplan enforces it (``eldercare-outbound-check``): a call placed with AMI
Originate straight into the outbound contexts, bypassing Odoo, is refused for
an international, premium-rate or not-allowed number before any Dial, and an
allowed number still goes out to the trunk while Odoo does not answer (the
bridge checks from its cached copy of the patterns)."""

import json
import os

import pytest
from stack import wait_until

pytestmark = pytest.mark.timeout(300)


def _originate(stack, number, context):
    mark = len(stack.ami.events)
    resp = stack.ami.action(
        "Originate",
        Channel=f"Local/{number}@{context}",
        Application="Wait",
        Data="5",
        CallerID='"" <1001>',
        Async="true",
        Timeout="10000",
    )
    assert resp.get("Response") == "Success", resp
    return mark


def _refusal(stack, mark, number, timeout=10):
    return wait_until(
        lambda: [
            e
            for e in stack.ami.events[mark:]
            if e.get("UserEvent") == "EldercareOutboundRefused"
            and e.get("Number") == number
        ],
        timeout,
        message=f"the dialplan refusing {number}",
    )[0]


def _trunk_dials(stack, mark, number):
    return [
        e
        for e in stack.ami.events[mark:]
        if e.get("Event") == "DialBegin"
        and f"{number}@eldercare-test-trunk"
        in str(e.get("DestChannel", "")) + str(e.get("DialString", ""))
    ]


@pytest.mark.parametrize(
    "number,context,reason",
    [
        ("0044201234567", "eldercare-outbound", "international"),
        ("+12025550100", "eldercare-dialer-out", "international"),
        ("19001234567", "eldercare-outbound", "premium-rate"),
        ("99999", "eldercare-dialer-out", "not-allowed"),
    ],
)
def test_dialplan_refuses_numbers_odoo_does_not_allow(
    clean_calls, number, context, reason
):
    stack = clean_calls
    # refused because of Odoo's patterns, not for want of them
    wait_until(
        lambda: _bridge_has_patterns(stack), 90, 0.2, "the bridge's bridge_config"
    )
    mark = _originate(stack, number, context)
    event = _refusal(stack, mark, number)
    assert event.get("Reason") == reason
    # the refusal happened before any Dial: nothing reached the trunk
    hangup = wait_until(
        lambda: [
            e
            for e in stack.ami.events[mark:]
            if e.get("Event") == "Hangup" and e.get("Linkedid") == event["Linkedid"]
        ],
        10,
        message="the refused call hung up",
    )
    assert hangup
    assert not _trunk_dials(stack, mark, number)


def _bridge_has_patterns(stack):
    """The bridge's cached copy of Odoo's bridge_config holds the patterns."""
    path = os.path.join(stack.spool_dir, "bridge_config.json")
    try:
        with open(path) as fh:
            return bool(json.load(fh).get("outbound_patterns"))
    except (OSError, ValueError):
        return False


def test_allowed_number_goes_out_even_with_odoo_down(clean_calls):
    stack = clean_calls
    number = "13912345678"
    # a bridge that never heard from Odoo refuses everything (fail closed):
    # wait for its first bridge_config, then stop Odoo
    wait_until(
        lambda: _bridge_has_patterns(stack), 90, 0.2, "the bridge's bridge_config"
    )
    stack.backend.make_unreachable()
    try:
        mark = _originate(stack, number, "eldercare-outbound")
        wait_until(
            lambda: _trunk_dials(stack, mark, number),
            10,
            message=f"{number} dialled through the trunk",
        )
    finally:
        stack.backend.make_reachable()
    assert not [
        e
        for e in stack.ami.events[mark:]
        if e.get("UserEvent") == "EldercareOutboundRefused"
    ]
