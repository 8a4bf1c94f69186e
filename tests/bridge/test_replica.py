"""The bridge's routing replica (replica.py): the emergency line answered
without waiting on Odoo, the alarm raised exactly once through Odoo's late
answer or the spool; Odoo's answer wins on a service line when in time."""

import asyncio
import time

import pytest
from eldercare_bridge.replica import RouteIndex, e164_candidates
from fake_odoo import FakeOdoo
from helpers import agi_call, make_config, running_bridge


class IndexedFakeOdoo(FakeOdoo):
    """The fake Odoo with the routing index of eldercare.pbx.bridge."""

    def bridge_route_index(self, cursor=False, after_id=0, limit=50000):
        phones = [
            [i, "+86" + number, elder_id]
            for i, (number, elder_id) in enumerate(sorted(self.elders.items()), 1)
        ]
        lines = {d: "emergency" for d in self.emergency_dids}
        lines.update({d: "service" for d in self.service_dids})
        return {
            "cursor": "2026-12-01 00:00:00",
            "lines": lines,
            "ivr": True,
            "phones": phones,
            "more": False,
            "last_id": len(phones),
        }


@pytest.fixture
def fake():
    odoo = IndexedFakeOdoo(elders={"13800138000": 7, "13900000001": 8}).start()
    yield odoo
    odoo.stop()


async def _ready(bridge, timeout=10):
    deadline = time.monotonic() + timeout
    while not bridge.router.index.ready:
        assert time.monotonic() < deadline, "routing replica never loaded"
        await asyncio.sleep(0.02)


async def _until(predicate, timeout=10, message="condition"):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {message}"
        await asyncio.sleep(0.02)


def test_emergency_line_answered_from_replica_while_odoo_is_slow(fake, tmp_path):
    async def scenario():
        cfg = make_config(fake, tmp_path, route_timeout=0.3)
        async with running_bridge(cfg) as bridge:
            await _ready(bridge)
            fake.delay = 1.0  # Odoo takes a second over every call now
            t0 = time.monotonic()
            got = await agi_call(
                bridge.agi.port,
                "route",
                ["emergency", "pbx-a-1700.1", "8001"],
                callerid="13900000001",
            )
            elapsed = time.monotonic() - t0
            # durable before the answer: the alarm is in the spool
            spooled = "pbx-a-1700.1" in bridge.spool.pending
            # Odoo's late routing answer raises the alert and settles it
            await _until(lambda: not len(bridge.spool), 15, "the spool settled")
            await asyncio.sleep(1.5)  # a replay, if any were due, would run
            return got, elapsed, spooled, dict(bridge.router.stats)

    got, elapsed, spooled, stats = asyncio.run(scenario())
    assert got["ROUTE"] == "emergency"
    assert got["QUEUE"] == "eldercare-emergency"
    assert got["ELDER_ID"] == "8"  # from the replica
    assert elapsed < 0.25, f"waited {elapsed:.3f} s on Odoo"
    assert spooled
    assert stats["local"] == 1 and stats["fallback"] == 0
    assert list(fake.alerts) == ["pbx-a-1700.1"]
    assert fake.alert_raises == 1


def test_emergency_alarm_raised_through_spool_when_odoo_is_down(fake, tmp_path):
    async def scenario():
        async with running_bridge(make_config(fake, tmp_path)) as bridge:
            await _ready(bridge)
            fake.down = True
            got = await agi_call(bridge.agi.port, "route", ["emergency", "d.1", "8001"])
            await asyncio.sleep(0.5)
            assert not fake.alerts
            fake.down = False
            await _until(lambda: not len(bridge.spool), 30, "the replay")
            return got

    got = asyncio.run(scenario())
    assert got["ROUTE"] == "emergency" and got["ELDER_ID"] == "7"
    assert list(fake.alerts) == ["d.1"] and fake.alert_raises == 1


def test_service_line_odoo_answer_wins_when_in_time(fake, tmp_path):
    fake.route_as["8000"] = "operator"  # Odoo says operator, replica says ivr

    async def scenario():
        cfg = make_config(fake, tmp_path, route_odoo_wait=2.0)
        async with running_bridge(cfg) as bridge:
            await _ready(bridge)
            return await agi_call(bridge.agi.port, "route", ["service", "s.1", "8000"])

    assert asyncio.run(scenario())["ROUTE"] == "operator"


def test_service_line_takes_replica_route_when_odoo_is_late(fake, tmp_path):
    fake.route_as["8000"] = "operator"

    async def scenario():
        cfg = make_config(fake, tmp_path, route_odoo_wait=0.02)
        async with running_bridge(cfg) as bridge:
            await _ready(bridge)
            fake.delay = 1.0
            t0 = time.monotonic()
            got = await agi_call(bridge.agi.port, "route", ["service", "s.2", "8000"])
            return got, time.monotonic() - t0

    got, elapsed = asyncio.run(scenario())
    assert got["ROUTE"] == "ivr" and got["QUEUE"] == "eldercare-service"
    assert elapsed < 0.25


def test_unknown_did_still_waits_for_odoo(fake, tmp_path):
    fake.route_as["8999"] = "operator"

    async def scenario():
        async with running_bridge(make_config(fake, tmp_path)) as bridge:
            await _ready(bridge)
            return await agi_call(bridge.agi.port, "route", ["service", "u.1", "8999"])

    assert asyncio.run(scenario())["ROUTE"] == "operator"


def test_replica_drops_changed_and_uncertified_numbers(tmp_path):
    index = RouteIndex(None, str(tmp_path))
    index._apply(
        {
            "lines": {"8001": "emergency"},
            "phones": [[1, "+8613800138000", 7], [2, "+8613900000001", 8]],
        }
    )
    assert index.elder_of("13800138000") == 7
    # phone 1 got another number, phone 2's elder was archived
    index._apply({"phones": [[1, "+8613700000000", 7], [2, "+8613900000001", 0]]})
    assert index.elder_of("13800138000") == 0
    assert index.elder_of("013700000000") == 7
    assert index.elder_of("13900000001") == 0
    index._save_cache()
    again = RouteIndex(None, str(tmp_path))
    assert again.ready and again.elder_of("+8613700000000") == 7


@pytest.mark.parametrize(
    ("caller", "e164"),
    [
        ("13800138000", "+8613800138000"),
        ("+8613800138000", "+8613800138000"),
        ("8613800138000", "+8613800138000"),
        ("008613800138000", "+8613800138000"),
        ("013800138000", "+8613800138000"),
        ("010-6442 1950", "+861064421950"),
    ],
)
def test_caller_forms(caller, e164):
    assert e164 in e164_candidates(caller)


def test_escalation_steps_wait_for_the_alert_then_reach_odoo(fake, tmp_path):
    """Answered from the replica, the call rings its chain before Odoo has
    the alert: the steps are held back and forwarded once it has."""
    step = {
        "Event": "UserEvent",
        "UserEvent": "EldercareEscalation",
        "Linkedid": "pbx-a-1700.7",
        "Step": "1",
        "Target": "queue",
        "Seconds": "60",
    }

    async def scenario():
        async with running_bridge(make_config(fake, tmp_path)) as bridge:
            await _ready(bridge)
            fake.delay = 1.0
            await agi_call(
                bridge.agi.port, "route", ["emergency", "pbx-a-1700.7", "8001"]
            )
            bridge.on_ami_event(dict(step))
            await asyncio.sleep(0.5)
            with fake.lock:
                early = [e for e in fake.events if e.get("UserEvent")]
            await _until(
                lambda: any(e.get("UserEvent") for e in list(fake.events)),
                20,
                "the step forwarded",
            )
            return early, fake.alerts["pbx-a-1700.7"]["created"]

    early, alert_created = asyncio.run(scenario())
    assert early == [], "a step reached Odoo before its alert"
    with fake.lock:
        forwarded = [e for e in fake.events if e.get("UserEvent")]
    assert [e["Step"] for e in forwarded] == ["1"]
