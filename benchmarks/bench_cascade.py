"""Benchmark: responder cascade through the one dialer, real Asterisk + Odoo.

1. **Latency** (``--alerts`` times, one at a time): an alert whose type calls
   the responders on confirm is confirmed over JSON-RPC (``action_confirm``,
   like the operator's button); measured from just before the request leaves
   to the first responder's phone ringing -- the AMI ``Newchannel`` of the
   phone's channel (``Local/<number>@eldercare-dialer-sim``, the shipped
   training context, whose phones ring at once, answer after 1 s and press 1).
   Path: Odoo queues the dial request -> the bridge's dialer polls it
   (``dial_sync``, every 0.5 s) -> AMI Originate -> Asterisk. Goal p99 <= 3 s.
   **Baseline** (same run): the benchmark's own AMI Originate of the same kind
   of channel straight to Asterisk (no Odoo, no dialer): the floor.
2. **Burst**: ``--burst`` (50) alerts confirmed at once (one JSON-RPC thread
   each) with ``--channels`` (10) as the maximum of simultaneous outbound
   channels. Reported: every cascade's first call placed and accepted (0
   lost), the most simultaneous dialer channels Asterisk saw (must stay <=
   the limit), time to the last ring and to the last acceptance, p50/p99 of
   confirm -> ring. Baseline: the same number of channels originated at once
   by the benchmark itself, unpaced.

Run (root, and the EC_* variables of ``./bin/eldercare dev-env``)::

    eval "$(./bin/eldercare dev-env | grep ^export)"
    python3 benchmarks/bench_cascade.py [--alerts 20] [--burst 50] [--channels 10]
"""

import argparse
import os
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "integration"))

from stack import (  # noqa: E402
    OdooBackend,
    Stack,
    new_workdir,
    percentile,
    wait_until,
)
from test_cascade import Admin  # noqa: E402

SIM = "eldercare-dialer-sim"


def first_ring(stack, number, since):
    prefix = f"Local/{number}@{SIM}"
    for event in stack.ami.find(Event="Newchannel", Channel=prefix):
        if event["_t"] >= since:
            return event["_t"]
    return None


def make_alerts(admin, count, tag, start):
    type_id = admin(
        "eldercare.alert.type",
        "create",
        {"name": f"Bench {tag}", "code": f"bench_{tag}", "cascade_on_confirm": True},
    )
    numbers = [f"19991{start + i:06d}" for i in range(count)]
    elders = admin(
        "res.partner",
        "create",
        [
            {
                "name": f"压测长者{tag}{i}",
                "is_elder": True,
                "relative_ids": [[0, 0, {"name": f"亲属{i}", "phone": n}]],
            }
            for i, n in enumerate(numbers)
        ],
    )
    alerts = admin(
        "eldercare.alert",
        "create",
        [{"elder_id": e, "type_id": type_id, "channel": "manual"} for e in elders],
    )
    return list(zip(alerts, numbers, strict=True))


def concurrency(stack, since):
    """Most dialer channels (the originated ;1 halves) alive at once."""
    live, peak = set(), 0
    with stack.ami.lock:
        events = [e for e in stack.ami.events if e["_t"] >= since]
    for event in events:
        channel = str(event.get("Channel", ""))
        if not (channel.startswith("Local/") and f"@{SIM}" in channel):
            continue
        if not channel.endswith(";1"):
            continue
        if event.get("Event") == "Newchannel":
            live.add(channel)
            peak = max(peak, len(live))
        elif event.get("Event") == "Hangup":
            live.discard(channel)
    return peak


def direct_originate(stack, number):
    t0 = time.monotonic()
    stack.ami.action(
        "Originate",
        Channel=f"Local/{number}@{SIM}",
        Application="Wait",
        Data="1",
        Async="true",
        Timeout="10000",
    )
    return t0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--alerts", type=int, default=20)
    parser.add_argument("--burst", type=int, default=50)
    parser.add_argument("--channels", type=int, default=10)
    args = parser.parse_args()
    missing = OdooBackend.missing_env()
    if missing:
        sys.exit(f"set {', '.join(missing)} (./bin/eldercare dev-env prints them)")
    workdir = new_workdir()
    backend = OdooBackend(workdir)
    stack = None
    try:
        stack = Stack(backend, workdir)
        admin = Admin(backend)
        for key, value in {
            "eldercare_asterisk.dial_out_context": SIM,
            "eldercare_asterisk.cascade_ring_seconds": "20",
            "eldercare_asterisk.cascade_passes": "1",
            "eldercare_asterisk.dial_max_channels": str(args.channels),
        }.items():
            admin("ir.config_parameter", "set_param", key, value)

        # -- 1. latency, one alert at a time --------------------------------
        base = []
        for i in range(args.alerts):
            number = f"19990{900000 + i:06d}"
            t0 = direct_originate(stack, number)
            t1 = wait_until(lambda n=number, t=t0: first_ring(stack, n, t), 10)
            base.append(t1 - t0)
        lat = []
        for alert, number in make_alerts(admin, args.alerts, "lat", 0):
            t0 = time.monotonic()
            admin("eldercare.alert", "action_confirm", [alert])
            t1 = wait_until(lambda n=number, t=t0: first_ring(stack, n, t), 30)
            lat.append(t1 - t0)
        print(f"confirm -> first responder ringing, {args.alerts} alerts one by one:")
        print(
            f"  dialer   p50 {percentile(lat, 50) * 1000:7.0f} ms   "
            f"p99 {percentile(lat, 99) * 1000:7.0f} ms   (goal p99 <= 3000 ms)"
        )
        print(
            f"  baseline p50 {percentile(base, 50) * 1000:7.0f} ms   "
            f"p99 {percentile(base, 99) * 1000:7.0f} ms   (direct AMI Originate)"
        )
        wait_until(lambda: not concurrency_live(stack), 60, 0.5, "calls ended")

        # -- 2. burst -------------------------------------------------------
        pairs = make_alerts(admin, args.burst, "burst", 100000)
        since = time.monotonic()
        sent = {}

        def confirm(alert, number):
            sent[number] = time.monotonic()
            admin("eldercare.alert", "action_confirm", [alert])

        threads = [
            threading.Thread(target=confirm, args=pair, daemon=True) for pair in pairs
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        ids = [a for a, _n in pairs]
        wait_until(
            lambda: len(
                admin(
                    "eldercare.alert",
                    "search",
                    [("id", "in", ids), ("cascade_state", "=", "accepted")],
                )
            )
            == len(ids),
            60 + 10 * args.burst,
            0.5,
            "every cascade accepted",
        )
        done = time.monotonic() - since
        rings = {n: first_ring(stack, n, since) for _a, n in pairs}
        waits = [rings[n] - sent[n] for n in rings if rings[n]]
        attempts = admin(
            "eldercare.alert.cascade.attempt",
            "search_read",
            [("alert_id", "in", ids)],
            ["result"],
        )
        peak = concurrency(stack, since)
        print(f"{args.burst} alerts confirmed at once, limit {args.channels} channels:")
        accepted = len([a for a in attempts if a["result"] == "accepted"])
        print(
            f"  cascades accepted {len(ids)}/{args.burst}, attempts {len(attempts)}, "
            f"lost {args.burst - accepted}"
        )
        print(f"  most simultaneous dialer channels {peak} (limit {args.channels})")
        print(
            f"  confirm -> ring p50 {percentile(waits, 50):.1f} s  "
            f"p99 {percentile(waits, 99):.1f} s; last ring "
            f"{max(rings.values()) - since:.1f} s, all accepted {done:.1f} s"
        )
        wait_until(lambda: not concurrency_live(stack), 60, 0.5, "calls ended")
        since = time.monotonic()
        numbers = [f"19990{800000 + i:06d}" for i in range(args.burst)]
        for number in numbers:
            direct_originate(stack, number)
        wait_until(lambda: all(first_ring(stack, n, since) for n in numbers), 60, 0.1)
        last = max(first_ring(stack, n, since) for n in numbers) - since
        print(
            f"  baseline: {args.burst} channels originated at once, unpaced: "
            f"last ring {last:.1f} s, peak {concurrency(stack, since)} channels"
        )
    finally:
        if stack:
            stack.close()
        backend.stop()


def concurrency_live(stack):
    live = set()
    with stack.ami.lock:
        events = list(stack.ami.events)
    for event in events:
        channel = str(event.get("Channel", ""))
        if channel.startswith("Local/") and f"@{SIM}" in channel:
            if event.get("Event") == "Newchannel":
                live.add(channel)
            elif event.get("Event") == "Hangup":
                live.discard(channel)
    return live


if __name__ == "__main__":
    main()
