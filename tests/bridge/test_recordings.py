"""The bridge's recording uploader, its outbound guard and its key file,
against the fake Odoo (no Asterisk)."""

import asyncio
import io
import os
import time
import wave

from eldercare_bridge.outbound import check_number
from fake_odoo import FakeOdoo
from helpers import agi_call, make_config, running_bridge


def _wav(path, seconds):
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(b"\0\0" * int(8000 * seconds))
    with open(path, "wb") as fh:
        fh.write(buf.getvalue())


async def _until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_finished_recordings_reach_odoo_and_survive_odoo_down(tmp_path):
    fake = FakeOdoo().start()
    rec_dir = tmp_path / "rec"
    done = rec_dir / "done"
    done.mkdir(parents=True)
    cfg = make_config(
        fake, tmp_path / "spool", recording_dir=str(rec_dir), recording_interval=0.1
    )

    async def go():
        fake.down = True
        async with running_bridge(cfg):
            _wav(done / "1764.1.wav", 2.5)
            await asyncio.sleep(0.5)  # a few rounds against an Odoo that is down
            assert (done / "1764.1.wav").exists(), "deleted before Odoo had it"
            assert not fake.recordings
            fake.down = False
            await _until(lambda: "1764.1.wav" in fake.recordings)
            await _until(lambda: not (done / "1764.1.wav").exists())
        item = fake.recordings["1764.1.wav"]
        assert item["linkedid"] == "1764.1"
        assert item["duration"] == 2.5

    try:
        asyncio.run(go())
    finally:
        fake.stop()


def test_a_recording_odoo_refuses_stays_and_does_not_block_others(tmp_path):
    fake = FakeOdoo().start()
    real = fake.recordings_done

    def refuse_first(items):
        real([i for i in items if i["filename"] != "bad.wav"])
        return [i["filename"] for i in items if i["filename"] != "bad.wav"]

    fake.recordings_done = refuse_first
    done = tmp_path / "rec" / "done"
    done.mkdir(parents=True)
    _wav(done / "bad.wav", 1)
    os.utime(done / "bad.wav", (1, 1))  # the oldest: first in every batch
    cfg = make_config(
        fake,
        tmp_path / "spool",
        recording_dir=str(tmp_path / "rec"),
        recording_interval=0.1,
    )

    async def go():
        async with running_bridge(cfg):
            _wav(done / "good.wav", 1)
            await _until(lambda: "good.wav" in fake.recordings)
            assert (done / "bad.wav").exists()

    try:
        asyncio.run(go())
    finally:
        fake.stop()


def test_outbound_check_follows_odoo_patterns():
    patterns = [r"1[3-9]\d{9}", r"1(10|19|20)"]
    assert check_number("13912345678", patterns) == (True, "allowed")
    assert check_number("120", patterns) == (True, "allowed")
    assert check_number("+8613912345678", patterns) == (False, "international")
    assert check_number("0044201234567", [r"\d+"]) == (False, "international")
    assert check_number("19001234567", [r"\d+"]) == (False, "premium-rate")
    assert check_number("02112345678", patterns) == (False, "not-allowed")
    assert check_number("13912345678", []) == (False, "not-allowed")


def test_outbound_agi_answers_from_the_cached_config(tmp_path):
    fake = FakeOdoo().start()
    cfg = make_config(fake, tmp_path / "spool")

    async def go():
        async with running_bridge(cfg) as bridge:
            await bridge.refresh_config()
            fake.down = True  # answered from the bridge's copy, not from Odoo
            port = bridge.agi.port
            ok = await agi_call(port, "outbound", ["13912345678"])
            intl = await agi_call(port, "outbound", ["0044201234567"])
            other = await agi_call(port, "outbound", ["99999"])
        assert ok["EC_OUTBOUND"] == "allow"
        assert (intl["EC_OUTBOUND"], intl["EC_OB_REASON"]) == (
            "deny",
            "international",
        )
        assert (other["EC_OUTBOUND"], other["EC_OB_REASON"]) == ("deny", "not-allowed")

    try:
        asyncio.run(go())
    finally:
        fake.stop()


def test_key_file_is_read_again_after_a_rotation(tmp_path):
    fake = FakeOdoo().start()
    used = []
    dispatch = fake.dispatch

    def spy(body):
        args = (body.get("params") or {}).get("args") or []
        if (body.get("params") or {}).get("method") == "execute_kw":
            used.append(args[2])
        return dispatch(body)

    fake.dispatch = spy
    key_file = tmp_path / "bridge.key"
    key_file.write_text("key-one\n")
    cfg = make_config(
        fake,
        tmp_path / "spool",
        odoo_password="ignored",
        odoo_password_file=str(key_file),
        odoo_password_check=0.05,
    )

    async def go():
        async with running_bridge(cfg) as bridge:
            await bridge.refresh_config()
            assert used[-1] == "key-one"
            key_file.write_text("key-two\n")
            await _until(lambda: bridge.keyfile.changes == 2)
            await bridge.refresh_config()
            assert used[-1] == "key-two"

    try:
        asyncio.run(go())
    finally:
        fake.stop()
