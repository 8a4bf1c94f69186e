"""The bridge contract cases (bridge_contract.py) against the real API; the
same cases run against the fake Odoo in tests/bridge/test_contract_fake.py."""

from types import SimpleNamespace

from odoo.tests import tagged

from . import bridge_contract
from .common import ELDER_NUMBER, EMERGENCY_DID, SERVICE_DID, EldercarePbxCase

WORLD = SimpleNamespace(
    emergency_did=EMERGENCY_DID,
    service_did=SERVICE_DID,
    elder_number=ELDER_NUMBER,
    unknown_number="13099990000",
)


class _RealApi:
    """``eldercare.pbx.bridge`` called as the bridge user, over the wire."""

    def __init__(self, bridge):
        self.bridge = bridge

    def call(self, method, *args):
        return bridge_contract.wire(
            getattr(self.bridge, method)(*bridge_contract.wire(list(args)))
        )


@tagged("post_install", "-at_install", "eldercare_asterisk")
class TestBridgeContract(EldercarePbxCase):
    def _run_case(self, name):
        bridge_contract.CASES[name](_RealApi(self.bridge), WORLD)


def _make_test(name):
    def test(self):
        self._run_case(name)

    test.__name__ = f"test_contract_{name}"
    test.__doc__ = bridge_contract.CASES[name].__doc__
    return test


for _name in bridge_contract.CASES:
    setattr(TestBridgeContract, f"test_contract_{_name}", _make_test(_name))
