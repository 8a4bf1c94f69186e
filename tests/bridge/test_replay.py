"""The bridge's spool replay: each alarm on its own, dead letters, heartbeat,
and every emergency entry stays an emergency when Odoo does not answer."""

import asyncio
import logging
import time

import pytest
from eldercare_bridge import spool as spool_mod
from fake_odoo import FakeOdoo
from helpers import agi_call, make_config, running_bridge


@pytest.fixture
def fake():
    odoo = FakeOdoo().start()
    yield odoo
    odoo.stop()


@pytest.fixture
def fast_retries(monkeypatch):
    monkeypatch.setattr(spool_mod, "RETRY_BASE", 0.01)
    monkeypatch.setattr(spool_mod, "RETRY_CAP", 0.05)


async def until(predicate, timeout=10.0):
    """Wait for ``predicate()`` with a bounded deadline; its last value."""
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    return predicate()


def test_alarms_odoo_keeps_refusing_never_block_the_others(
    fake, tmp_path, fast_retries, caplog
):
    fake.down = True
    poison = [f"poison.{i}" for i in range(12)]
    fake.refuse = set(poison)

    async def scenario():
        cfg = make_config(fake, tmp_path, heartbeat_interval=0.05)
        async with running_bridge(cfg) as bridge:
            # twelve alarms Odoo will never record, spooled first, then one good
            for linkedid in [*poison, "good.1"]:
                await agi_call(
                    bridge.agi.port, "route", ["emergency", linkedid, "8001"]
                )
            assert len(bridge.spool) == 13
            fake.down = False
            bridge._replay_wake.set()
            raised = await until(lambda: "good.1" in fake.alerts)
            dead = await until(lambda: len(bridge.spool.dead_letters()) == 12)
            beat = await until(
                lambda: any(len(h["dead_letters"]) == 12 for h in fake.heartbeats)
            )
            return raised, dead, beat, bridge.spool

    with caplog.at_level(logging.ERROR):
        raised, dead, beat, spool = asyncio.run(scenario())
    assert raised, "the good alarm was raised despite twelve failing ones ahead"
    assert dead and beat
    assert set(spool.pending) == set(poison), "failing alarms are kept, not dropped"
    report = [h for h in fake.heartbeats if len(h["dead_letters"]) == 12][-1]
    assert report["pending"] == 12
    assert report["oldest_pending_seconds"] >= 0
    assert {d["linkedid"] for d in report["dead_letters"]} == set(poison)
    assert (tmp_path / "deadletter.jsonl").exists()
    assert any("dead letter" in r.getMessage() for r in caplog.records)


def test_heartbeat_reports_the_unrecorded_alarms_while_odoo_is_slow(fake, tmp_path):
    # Odoo answers, but cannot route nor record alarms: the heartbeat still lands
    fake.broken = {"agi_route_batch", "spooled_alerts"}

    async def scenario():
        cfg = make_config(fake, tmp_path, heartbeat_interval=0.05)
        async with running_bridge(cfg) as bridge:
            got = await agi_call(
                bridge.agi.port, "route", ["emergency", "hb.1", "8001"]
            )
            beat = await until(lambda: any(h["pending"] for h in fake.heartbeats))
            fake.broken = set()
            bridge._replay_wake.set()
            cleared = await until(lambda: fake.heartbeats[-1]["pending"] == 0)
            return got, beat, cleared

    got, beat, cleared = asyncio.run(scenario())
    assert got["QUEUE"] == "eldercare-emergency"
    assert beat, "Odoo was told the bridge holds an alarm it has not recorded"
    assert cleared
    assert fake.alert_raises == 1


def test_voice_menu_emergency_key_with_odoo_down_goes_to_the_emergency_queue(
    fake, tmp_path
):
    fake.down = True

    async def scenario():
        async with running_bridge(make_config(fake, tmp_path)) as bridge:
            # the dialplan's copy of the key (arg 3) and the dialled line (arg 4)
            got = await agi_call(
                bridge.agi.port, "ivr", ["9", "ivr.1", "9", "8000"], uniqueid="ivr.1"
            )
            spooled = dict(bridge.spool.pending)
            fake.down = False
            bridge._replay_wake.set()
            raised = await until(lambda: "ivr.1" in fake.alerts)
            return got, spooled, raised

    got, spooled, raised = asyncio.run(scenario())
    assert got["ROUTE"] == "emergency"
    assert got["QUEUE"] == "eldercare-emergency"
    assert spooled["ivr.1"]["channel_kind"] == "ivr"
    assert spooled["ivr.1"]["did"] == "8000"
    assert raised and fake.alert_raises == 1
    assert fake.alerts["ivr.1"]["channel"] == "ivr"
    # another key with Odoo down still goes to an operator, not the emergency queue
    fake.down = True

    async def other_key():
        async with running_bridge(make_config(fake, tmp_path)) as bridge:
            got = await agi_call(bridge.agi.port, "ivr", ["3", "ivr.2", "9", "8000"])
            return got, len(bridge.spool)

    got, pending = asyncio.run(other_key())
    assert got["QUEUE"] == "eldercare-service" and pending == 0


def test_emergency_key_known_from_odoo_config_when_the_dialplan_gives_none(
    fake, tmp_path
):
    fake.ivr_emergency_digits = ["7"]

    async def scenario():
        async with running_bridge(make_config(fake, tmp_path)) as bridge:
            await bridge.refresh_config()
            fake.down = True
            got = await agi_call(bridge.agi.port, "ivr", ["7", "ivr.3"])
            return got, list(bridge.spool.pending)

    got, pending = asyncio.run(scenario())
    assert got["QUEUE"] == "eldercare-emergency"
    assert pending == ["ivr.3"]


def test_emergency_line_stays_emergency_whatever_odoo_answers(fake, tmp_path):
    fake.route_as = {"8001": "ivr"}  # a wrong edit in Odoo's line table

    async def scenario():
        async with running_bridge(make_config(fake, tmp_path)) as bridge:
            got = await agi_call(
                bridge.agi.port, "route", ["emergency", "wrong.1", "8001"]
            )
            spooled = "wrong.1" in bridge.spool.pending
            fake.route_as = {}
            raised = await until(lambda: "wrong.1" in fake.alerts)
            return got, spooled, raised

    got, spooled, raised = asyncio.run(scenario())
    assert got["ROUTE"] == "emergency"
    assert got["QUEUE"] == "eldercare-emergency"
    assert spooled and raised
    assert fake.routed()[0]["line"] == "emergency", "Odoo is told the dialplan's word"


CHAIN = [
    {"target": "queue", "seconds": 20},
    {"target": "PJSIP/1003&PJSIP/13900007104@TRUNK", "seconds": 15},
]


def test_escalation_chain_of_odoo_goes_to_the_dialplan(fake, tmp_path):
    fake.chain = CHAIN + [
        {"target": "PJSIP/1004,60,tTU(evil)", "seconds": 30},  # not a dial string
        {"target": "queue", "seconds": 2},  # below the 5 s floor
    ]

    async def scenario():
        async with running_bridge(make_config(fake, tmp_path)) as bridge:
            return await agi_call(
                bridge.agi.port, "route", ["emergency", "esc.1", "8001"]
            )

    got = asyncio.run(scenario())
    assert got["ESC_COUNT"] == "2"
    assert (got["ESC_1_TARGET"], got["ESC_1_TIME"]) == ("queue", "20")
    assert got["ESC_2_TARGET"] == "PJSIP/1003&PJSIP/13900007104@TRUNK"
    assert got["ESC_2_TIME"] == "15"


def test_escalation_chain_from_the_cached_config_when_odoo_is_down(fake, tmp_path):
    fake.chain = CHAIN

    async def scenario():
        async with running_bridge(make_config(fake, tmp_path)) as bridge:
            await bridge.refresh_config()
            fake.down = True
            emergency = await agi_call(
                bridge.agi.port, "route", ["emergency", "esc.2", "8001"]
            )
            service = await agi_call(
                bridge.agi.port, "route", ["service", "esc.3", "8000"]
            )
            return emergency, service

    emergency, service = asyncio.run(scenario())
    assert emergency["ROUTE"] == "fallback"
    assert emergency["ESC_COUNT"] == "2"
    assert emergency["ESC_2_TIME"] == "15"
    assert "ESC_COUNT" not in service
