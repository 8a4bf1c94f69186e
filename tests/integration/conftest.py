"""Tier "asterisk": real Asterisk 22 (Debian sid chroot) + the bridge process +
SIPp operator phones, against the real Odoo (copied template database; needs
the EC_* variables) and against the fake JSON-RPC Odoo (always, where Asterisk
can run). Skips only when Asterisk or Odoo cannot be had, with the reason."""

import pytest

# stack puts tools/asterisk, tests/bridge and the bridge package on sys.path
from stack import (
    FakeBackend,
    HarnessUnavailable,
    OdooBackend,
    Stack,
    new_workdir,
    remove_workdir,
    skip_unless_real_odoo,
)


@pytest.fixture(scope="module", params=["odoo", "fake"])
def stack(request):
    workdir = new_workdir()
    backend = None
    if request.param == "odoo":
        skip_unless_real_odoo(asterisk=True)
        backend = OdooBackend(workdir)
    else:
        backend = FakeBackend()
    st = None
    try:
        try:
            st = Stack(backend, workdir)
        except HarnessUnavailable as exc:
            pytest.skip(f"real Asterisk unavailable: {exc}")
        yield st
    finally:
        if st:
            st.close()
        backend.stop()
        remove_workdir(workdir)


@pytest.fixture
def clean_calls(stack):
    yield stack
    stack.ami.hangup_all()
    stack.backend.make_reachable()
    if not stack.bridge.alive():
        stack.restart_bridge()
