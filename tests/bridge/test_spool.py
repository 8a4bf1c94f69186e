import json
import os

import pytest
from eldercare_bridge.spool import Spool, SpoolLocked


def test_spool_survives_a_restart_and_dedupes(tmp_path):
    spool = Spool(tmp_path)
    assert spool.add("L1", {"caller_num": "13800138000", "did": "8001"})
    assert not spool.add("L1", {"caller_num": "other"})  # same call: once
    assert spool.add("L2", {"caller_num": "13900000000", "did": "8001"})
    spool.close()  # the process dies here

    again = Spool(tmp_path)
    assert [i["linkedid"] for i in again.items()] == ["L1", "L2"]
    assert again.items()[0]["caller_num"] == "13800138000"
    again.mark_done("L1", 41)
    again.close()

    third = Spool(tmp_path)
    assert [i["linkedid"] for i in third.items()] == ["L2"]
    assert not third.add("L1", {})  # already raised: never replayed again
    third.close()


def test_each_record_is_fsynced_before_add_returns(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    spool = Spool(tmp_path)
    before = len(synced)
    spool.add("L9", {"did": "8001"})
    assert len(synced) == before + 1
    with open(spool.path) as fh:
        assert json.loads(fh.readline())["linkedid"] == "L9"
    spool.close()


def test_torn_last_line_is_ignored_and_repaired(tmp_path):
    spool = Spool(tmp_path)
    spool.add("L1", {"did": "8001"})
    spool.close()
    with open(tmp_path / "alerts.jsonl", "ab") as fh:
        fh.write(b'{"op": "add", "linkedid": "L2", "par')  # crash mid-write
    spool = Spool(tmp_path)
    assert spool.torn_lines == 1
    assert [i["linkedid"] for i in spool.items()] == ["L1"]
    spool.add("L3", {"did": "8001"})  # must not be glued to the torn line
    spool.close()
    spool = Spool(tmp_path)
    assert [i["linkedid"] for i in spool.items()] == ["L1", "L3"]
    spool.close()


def test_second_bridge_on_same_spool_is_refused(tmp_path):
    spool = Spool(tmp_path)
    with pytest.raises(SpoolLocked):
        Spool(tmp_path)
    spool.close()


def test_compaction_keeps_only_pending(tmp_path, monkeypatch):
    from eldercare_bridge import spool as spool_mod

    monkeypatch.setattr(spool_mod, "COMPACT_MIN_BYTES", 100)
    spool = Spool(tmp_path)
    for i in range(20):
        spool.add(f"L{i}", {"did": "8001"})
        if i != 7:
            spool.mark_done(f"L{i}", i)
    assert spool.compact()
    spool.close()
    with open(tmp_path / "alerts.jsonl") as fh:
        lines = fh.read().splitlines()
    assert len(lines) == 1 and '"L7"' in lines[0]
    spool = Spool(tmp_path)
    assert [i["linkedid"] for i in spool.items()] == ["L7"]
    spool.close()


def test_each_alarm_retries_on_its_own_and_a_failing_one_becomes_a_dead_letter(
    tmp_path,
):
    from eldercare_bridge import spool as spool_mod

    spool = Spool(tmp_path)
    spool.add("bad", {"caller_num": "13800138000", "did": "8001"})
    spool.add("good", {"caller_num": "13900000000", "did": "8001"})
    assert [i["linkedid"] for i in spool.due(now=0)] == ["bad", "good"]
    # Odoo did not record "bad": it waits, "good" does not
    assert not spool.record_failure("bad", "Odoo did not record it", now=0)
    assert [i["linkedid"] for i in spool.due(now=0)] == ["good"]
    assert spool.next_try_in(now=0) == 0.0  # "good" is due now
    # the waits grow (capped); never-failed alarms always come first
    dead = False
    now = 0.0
    for _ in range(spool_mod.DEAD_AFTER - 1):
        now += spool_mod.RETRY_CAP
        assert [i["linkedid"] for i in spool.due(now=now)] == ["good", "bad"]
        dead = spool.record_failure("bad", "Odoo did not record it", now=now)
    assert dead, "the 5th failure lists it as a dead letter"
    assert spool.attempts("bad") == spool_mod.DEAD_AFTER
    [letter] = spool.dead_letters()
    assert letter["linkedid"] == "bad" and letter["caller_num"] == "13800138000"
    with open(tmp_path / "deadletter.jsonl") as fh:
        record = json.loads(fh.readline())
    assert record["op"] == "dead" and record["params"]["did"] == "8001"
    # still pending, still retried: an alarm is never given up
    assert "bad" in spool.pending
    assert spool.mark_done("bad", 7)
    assert spool.dead_letters() == []
    with open(tmp_path / "deadletter.jsonl") as fh:
        assert json.loads(fh.read().splitlines()[-1])["op"] == "recovered"
    spool.close()


def test_oldest_pending_age_survives_a_restart_and_a_compaction(tmp_path, monkeypatch):
    from eldercare_bridge import spool as spool_mod

    monkeypatch.setattr(spool_mod, "COMPACT_MIN_BYTES", 10)
    spool = Spool(tmp_path)
    spool.add("old", {"did": "8001"})
    spool.added_at["old"] -= 120  # spooled two minutes ago
    spool.add("x", {"did": "8001"})
    spool.mark_done("x", 1)
    assert spool.compact()
    spool.close()
    spool = Spool(tmp_path)
    assert 119 <= spool.oldest_pending_seconds() < 130
    spool.close()
