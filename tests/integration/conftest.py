"""Tier "asterisk": real Asterisk 22 (Debian sid chroot) + the bridge process +
SIPp operator phones, against the real Odoo (copied template database; needs
the EC_* variables) and against the fake JSON-RPC Odoo (always, where Asterisk
can run). Skips only when Asterisk or Odoo cannot be had, with the reason."""

import os
import shutil

import pytest
from stack import (
    AmiProbe,
    BridgeProcess,
    FakeBackend,
    OdooBackend,
    OperatorPhone,
    new_workdir,
)

from harness import Asterisk, HarnessUnavailable, free_port


def _asterisk_or_skip(workdir):
    if os.geteuid() != 0:
        pytest.skip("real Asterisk needs root (chroot)")
    if not os.path.exists("/usr/bin/sipp"):
        pytest.skip("SIPp is not installed (apt-get install sip-tester)")
    try:
        return Asterisk(
            os.path.join(workdir, "asterisk"), agi_port=free_port()
        ).prepare()
    except HarnessUnavailable as exc:
        pytest.skip(f"Asterisk chroot unavailable: {exc}")


class Stack:
    def __init__(self, backend, workdir):
        self.backend = backend
        self.workdir = workdir
        self.asterisk = _asterisk_or_skip(workdir).start()
        self.spool_dir = os.path.join(workdir, "spool")
        env = dict(self.asterisk.env())
        env.update(backend.bridge_env())
        env.update(
            {
                "EC_SPOOL_DIR": self.spool_dir,
                "EC_LOG_LEVEL": "INFO",
                "EC_CONFIG_REFRESH": "5",
            }
        )
        if backend.name == "odoo":
            # a real Odoo answers its first calls slower than the 300 ms budget
            # while it warms its caches; the warm-up below takes care of it
            pass
        self.bridge_env = env
        self.bridge = BridgeProcess(env, workdir).start()
        self.operators = [
            OperatorPhone(
                "1001",
                self.asterisk.sip_port,
                self.asterisk.operator_secret,
                workdir,
                ring_ms=1000,
            ).start(),
            OperatorPhone(
                "1002",
                self.asterisk.sip_port,
                self.asterisk.operator_secret,
                workdir,
                ring_ms=2500,
            ).start(),
        ]
        self.ami = AmiProbe(self.asterisk)

    def restart_bridge(self):
        self.bridge = BridgeProcess(self.bridge_env, self.workdir).start()
        return self.bridge

    def close(self):
        keep = bool(os.environ.get("EC_KEEP_LOGS"))
        for closer in (
            self.ami.close,
            self.bridge.stop,
            *[op.stop for op in self.operators],
            lambda: self.asterisk.stop(cleanup=not keep),
        ):
            try:
                closer()
            except Exception:  # noqa: BLE001 - best effort teardown
                pass


@pytest.fixture(scope="module", params=["odoo", "fake"])
def stack(request):
    workdir = new_workdir()
    backend = None
    if request.param == "odoo":
        missing = OdooBackend.missing_env()
        if missing:
            pytest.skip(
                "real Odoo not configured: set "
                + ", ".join(missing)
                + " (./bin/eldercare dev-env prints them)"
            )
        if os.geteuid() != 0:
            pytest.skip("real Asterisk needs root (chroot)")
        backend = OdooBackend(workdir)
    else:
        backend = FakeBackend()
    st = None
    try:
        st = Stack(backend, workdir)
        yield st
    finally:
        if st:
            st.close()
        backend.stop()
        if os.environ.get("EC_KEEP_LOGS"):
            print(f"integration logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def clean_calls(stack):
    yield stack
    stack.ami.hangup_all()
    stack.backend.make_reachable()
    if not stack.bridge.alive():
        stack.restart_bridge()
