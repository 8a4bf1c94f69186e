"""The bridge contract cases against the fake Odoo: the fake must answer
them as the real ``eldercare.pbx.bridge`` does (the same cases run against
Odoo in addons/eldercare_asterisk/tests/test_bridge_contract.py)."""

import importlib.util
import os
from types import SimpleNamespace

import pytest
from fake_odoo import FakeOdoo

HERE = os.path.dirname(os.path.abspath(__file__))
CASES_FILE = os.path.join(
    HERE, "..", "..", "addons", "eldercare_asterisk", "tests", "bridge_contract.py"
)
_spec = importlib.util.spec_from_file_location("bridge_contract", CASES_FILE)
contract = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(contract)

WORLD = SimpleNamespace(
    emergency_did="7901",
    service_did="7900",
    elder_number="13700007001",
    unknown_number="13099990000",
)


class FakeApi:
    """The fake Odoo called through its JSON-RPC dispatch, over the wire."""

    def __init__(self, fake):
        self.fake = fake

    def call(self, method, *args):
        body = contract.wire(
            {
                "params": {
                    "service": "object",
                    "method": "execute_kw",
                    "args": [
                        "db",
                        2,
                        "pw",
                        "eldercare.pbx.bridge",
                        method,
                        list(args),
                        {},
                    ],
                }
            }
        )
        return contract.wire(self.fake.dispatch(body))


@pytest.mark.parametrize("name", sorted(contract.CASES))
def test_contract(name):
    fake = FakeOdoo(
        emergency_dids=(WORLD.emergency_did,),
        service_dids=(WORLD.service_did,),
        elders={WORLD.elder_number: 7},
    )
    contract.CASES[name](FakeApi(fake), WORLD)
