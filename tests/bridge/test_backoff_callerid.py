import random

import pytest
from eldercare_bridge.backoff import backoff_delay, backoff_schedule
from eldercare_bridge.callerid import sanitize


def test_backoff_schedule_grows_then_caps_at_30_seconds():
    sched = backoff_schedule(12)
    assert sched[:7] == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0]
    assert all(d == 30.0 for d in sched[6:])
    assert max(backoff_schedule(500)) == 30.0  # no overflow on long outages


def test_backoff_jitter_stays_within_cap_and_below_nominal():
    rng = random.Random(4)
    for attempt in range(40):
        delay = backoff_delay(attempt, jitter=0.2, rng=rng)
        nominal = backoff_delay(attempt)
        assert 0.8 * nominal - 1e-9 <= delay <= nominal <= 30.0


@pytest.mark.parametrize(
    "raw",
    ["", "anonymous", "Anonymous", "unknown", "restricted", None],
)
def test_anonymous_caller_ids_become_empty(raw):
    clean, problem = sanitize(raw)
    assert clean == ""
    assert problem


@pytest.mark.parametrize(
    "raw",
    [
        "abcdefg",
        "1" * 200,
        "'; DROP TABLE res_partner; --",
        "13800138000' OR '1'='1",
        "\x00\x1b[31m138\r\n",
        "李大爷",
    ],
)
def test_hostile_caller_ids_are_flagged_and_bounded(raw):
    clean, problem = sanitize(raw)
    assert problem
    assert len(clean) <= 64
    assert "\n" not in clean and "\x00" not in clean and "\x1b" not in clean


@pytest.mark.parametrize("raw", ["13800138000", "+8613800138000", "010-6512 3456"])
def test_real_numbers_pass(raw):
    clean, problem = sanitize(raw)
    assert clean == raw
    assert problem is None
