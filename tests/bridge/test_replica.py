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


class PagedIndex:
    """bridge_route_index as Odoo pages it (``limit`` rows by id, ``cursor``
    refreshes paged the same way); ``hold`` pauses after the first page."""

    def __init__(self, rows):
        self.rows = rows  # [[phone id, e164, elder id]] sorted by id
        self.changed = None  # ids a cursor refresh sends (None: all)
        self.calls = []
        self.served = 0
        self.hold = None

    async def execute(self, method, cursor, after_id, limit, timeout=None):
        assert method == "bridge_route_index"
        self.calls.append((cursor, after_id))
        self.served += 1
        rows = [r for r in self.rows if r[0] > after_id]
        if cursor:
            rows = [r for r in rows if r[0] in self.changed]
        page = rows[:limit]
        if self.hold and after_id:
            await self.hold.wait()
        return {
            "cursor": f"c{self.served}",
            "lines": {"8001": "emergency"},
            "ivr": True,
            "phones": page,
            "more": len(page) == limit,
            "last_id": page[-1][0] if page else after_id,
        }


def _paged_replica(tmp_path, page_size):
    """Ten certified numbers 1380000000<n> of elder 100 + n, paged by Odoo."""
    rows = [[i, f"+861380000{i:04d}", 100 + i] for i in range(1, 11)]
    odoo = PagedIndex(rows)
    return rows, odoo, RouteIndex(odoo, str(tmp_path), page_size=page_size)


def test_replica_pages_full_loads_and_refreshes(tmp_path):
    rows, odoo, index = _paged_replica(tmp_path, 3)

    async def scenario():
        await index.full_load()
        assert [index.elder_of(f"1380000{i:04d}") for i in (1, 10)] == [101, 110]
        assert odoo.calls == [(False, 0), (False, 3), (False, 6), (False, 9)]
        # 4 rows changed since: a refresh in two pages, nothing reloaded
        odoo.calls.clear()
        odoo.changed = {2, 5, 7, 9}
        for row in rows:
            if row[0] in odoo.changed:
                row[2] = 0  # no longer elders
        await index.refresh_once()
        # from the first page of the full load: what changed while it paged
        assert odoo.calls == [("c1", 0), ("c1", 7)]
        assert index.cursor == "c5"  # the refresh's first page
        assert index.elder_of("13800000002") == 0
        assert index.elder_of("13800000009") == 0
        assert index.elder_of("13800000010") == 110
        assert index.stats["full_loads"] == 1

    asyncio.run(scenario())
    again = RouteIndex(None, str(tmp_path))  # the disk copy follows
    assert len(again.numbers) == 6 and again.elder_of("13800000003") == 103


def test_full_reload_keeps_the_whole_replica_until_it_is_complete(tmp_path):
    rows, odoo, index = _paged_replica(tmp_path, 4)

    async def scenario():
        await index.full_load()
        odoo.hold = asyncio.Event()
        rows[-1][2] = 999  # the elder of number 10 changed meanwhile
        reload = asyncio.ensure_future(index.full_load())
        await _until(lambda: odoo.served == 5, 5, "the reload's second page")
        # mid-reload every number still answers, from the previous load
        during = [index.elder_of(f"1380000{i:04d}") for i in (1, 5, 10)]
        odoo.hold.set()
        await reload
        return during, index.elder_of("13800000010")

    during, after = asyncio.run(scenario())
    assert during == [101, 105, 110]
    assert after == 999


def test_late_service_lookups_still_reach_odoo(fake, tmp_path):
    """Service calls answered from the replica while Odoo is slow: each
    routing lookup still reaches Odoo, even one that waited behind busy
    batches, because Odoo's answer logs the call with its elder (the elder's
    history, the check-in of an elder who calls in)."""

    async def scenario():
        cfg = make_config(fake, tmp_path, route_odoo_wait=0.02)
        async with running_bridge(cfg) as bridge:
            await _ready(bridge)
            await asyncio.sleep(0.5)  # start-up calls done
            fake.delay = 1.0
            got = await asyncio.gather(
                *(
                    agi_call(
                        bridge.agi.port,
                        "route",
                        ["service", f"late.{i}", "8000"],
                        callerid="13800138000",
                    )
                    for i in range(4)
                )
            )
            linkedids = {f"late.{i}" for i in range(4)}
            await _until(
                lambda: linkedids <= {p["linkedid"] for p in fake.routed()},
                timeout=10,
                message="every late lookup in Odoo",
            )
            return got

    got = asyncio.run(scenario())
    assert all(g["ROUTE"] == "ivr" and g["ELDER_ID"] == "7" for g in got)
