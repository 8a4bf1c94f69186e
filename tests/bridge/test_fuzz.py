"""Fuzzing the FastAGI socket: the bridge logs and keeps serving."""

import asyncio
import contextlib
import random

import pytest
from fake_odoo import FakeOdoo
from helpers import agi_call, make_config, running_bridge


@pytest.fixture
def fake():
    odoo = FakeOdoo().start()
    yield odoo
    odoo.stop()


def _payloads(rng):
    yield b""  # connect and close
    yield b"\r\n\r\n"
    yield b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    yield b"agi_network_script: route\n" + b"A" * 100000 + b"\n\n"  # oversize line
    yield b"agi_network_script: nosuchscript\nagi_callerid: 1\n\n"
    yield b"".join(b"agi_k%d: v\n" % i for i in range(1000)) + b"\n"  # header flood
    yield b"agi_network_script: route\nagi_callerid: 13800138000\n"  # never finishes
    for _ in range(60):
        n = rng.randrange(1, 2000)
        yield bytes(rng.randrange(256) for _ in range(n))
    for _ in range(20):  # plausible header, then garbage replies to commands
        yield (
            b"agi_network_script: route\nagi_arg_1: emergency\nagi_arg_2: fz.%d\n"
            b"agi_callerid: \xff\xfe\x00%d\n\n"
            % (rng.randrange(10**6), rng.randrange(99))
        ) + bytes(rng.randrange(256) for _ in range(rng.randrange(0, 300)))


async def _send(port, data):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(data)
        await writer.drain()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(reader.read(65536), 0.5)
        writer.close()
    except (ConnectionError, OSError):
        pass


def test_garbage_on_fastagi_never_kills_the_bridge(fake, tmp_path):
    rng = random.Random(2026)

    async def scenario():
        async with running_bridge(make_config(fake, tmp_path)) as bridge:
            await asyncio.gather(*[_send(bridge.agi.port, p) for p in _payloads(rng)])
            # still routes a real call correctly afterwards
            got = await agi_call(
                bridge.agi.port, "route", ["emergency", "ok.1", "8001"]
            )
            return got, dict(bridge.agi.stats)

    got, stats = asyncio.run(scenario())
    assert got["ROUTE"] == "emergency"
    assert stats["garbage"] >= 60
    assert stats["errors"] == 0  # every bad input was a clean, logged rejection
