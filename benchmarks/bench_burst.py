"""Benchmark: a burst of simultaneous emergency calls through real Asterisk.

N (default 100) elders press their emergency button at the same moment: N AMI
``Originate`` of ``Local/<emergency DID>@eldercare-inbound`` fired together
into a real Asterisk 22 running the shipped dialplan, the bridge process, and

* ``real``: a real Odoo 18 on a throwaway copy of the template database;
* ``baseline``: the fake JSON-RPC Odoo (same Asterisk, same bridge), in the
  same run, for the ratio.

Per call it measures call arrival (first AMI event of the call) -> alert
visible (Odoo: eldercare_alert row committed, polled every 20 ms; fake: alert
recorded). Counts alerts raised, lost (no alert 60 s later) and duplicated
(more than one alert for a linkedid), and how many calls reached the
emergency queue, and the bridge's routing decisions (from its log: the
emergency line is answered from the bridge's replica of the routing index,
the alarm spooled, then raised by Odoo's routing answer or the spool). Goal:
N alerts, 0 lost, 0 duplicated, p99 <= 1.5 s.

The real Odoo runs in the production shape (workers + gevent behind nginx,
tools/ecctl/server.py); ``EC_ODOO_WORKERS=0`` gives the single-process server
behind the same nginx for the comparison.

Run (needs root for the Asterisk chroot, SIPp, and the EC_* variables of
``./bin/eldercare dev-env`` for the real Odoo; without them only the baseline
runs)::

    eval "$(./bin/eldercare dev-env | grep ^export)"
    python3 benchmarks/bench_burst.py [--calls 100] [--fake-only]
"""

import contextlib
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "integration"))

from stack import (  # noqa: E402
    FakeBackend,
    OdooBackend,
    Stack,
    bench_arguments,
    new_workdir,
    odoo_workers_label,
    percentile,
    real_odoo_skipped,
    wait_until,
)


def burst(stack, calls, prefix):
    mark = len(stack.ami.events)
    callers = [f"{prefix}{i:05d}" for i in range(calls)]
    t0 = time.monotonic()
    for caller in callers:  # AMI Originate Async returns at once: a real burst
        stack.ami.action(
            "Originate",
            Channel="Local/8001@eldercare-inbound",
            Application="Wait",
            Data="60",
            CallerID=f'"" <{caller}>',
            Async="true",
            Timeout="90000",
        )
    fired = time.monotonic() - t0

    def joined():
        ev = [
            e
            for e in stack.ami.events[mark:]
            if e.get("Event") == "QueueCallerJoin"
            and e.get("Queue") == "eldercare-emergency"
            and str(e.get("CallerIDNum", "")).startswith(prefix)
        ]
        return ev if len(ev) >= calls else None

    with contextlib.suppress(AssertionError):
        wait_until(joined, 60, 0.05, "every call in the emergency queue")
    events = stack.ami.events[mark:]
    arrival = {}
    linked_by_caller = {}
    for e in events:
        lid = e.get("Linkedid")
        if lid and lid not in arrival:
            arrival[lid] = e["_t"]
        if (
            e.get("Event") == "QueueCallerJoin"
            and e.get("Queue") == "eldercare-emergency"
        ):
            linked_by_caller[e.get("CallerIDNum")] = lid
    linkedids = [linked_by_caller[c] for c in callers if c in linked_by_caller]
    seen = {}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(seen) < len(linkedids):
        now = time.monotonic()
        for lid, count in stack.backend.alert_counts(linkedids).items():
            if count and lid not in seen:
                seen[lid] = now
        time.sleep(0.02)
    counts = stack.backend.alert_counts(linkedids)
    lat = [seen[lid] - arrival[lid] for lid in linkedids if lid in seen]
    stack.ami.hangup_all()
    decisions = [ms for route, ms in route_decisions(stack.bridge.log())]
    return {
        "fired_s": fired,
        "queued": len(linkedids),
        "alerts": sum(1 for lid in linkedids if counts.get(lid)),
        "lost": calls - sum(1 for lid in linkedids if counts.get(lid)),
        "duplicated": sum(1 for c in counts.values() if c > 1),
        "p50": percentile(lat, 50),
        "p99": percentile(lat, 99),
        "max": max(lat) if lat else float("nan"),
        "fallback_routes": stack.bridge.log().count("-> fallback"),
        "route_p99_ms": percentile(decisions, 99),
    }


ROUTE_LINE = re.compile(r"route linkedid=\S+ .* -> (\w+) .*\((\d+\.\d) ms\)")


def route_decisions(log):
    """(route, ms) of every routing decision the bridge logged."""
    return [(m.group(1), float(m.group(2))) for m in ROUTE_LINE.finditer(log)]


def run(backend, calls, prefix):
    stack = Stack(backend, new_workdir())
    try:
        if backend.name == "odoo":
            # a bridge that has been up a moment: its routing replica loaded
            # (a restarted bridge starts from the replica's disk copy)
            wait_until(
                lambda: "routing replica loaded" in stack.bridge.log(),
                120,
                0.2,
                "the bridge's routing replica",
            )
        return burst(stack, calls, prefix)
    finally:
        stack.close()
        backend.stop()


def show(name, r):
    print(
        f"{name:<10} queued={r['queued']:<4} "
        f"alerts={r['alerts']:<4} lost={r['lost']:<3} "
        f"dup={r['duplicated']:<3} arrival->alert p50={r['p50'] * 1000:7.0f} ms "
        f"p99={r['p99'] * 1000:7.0f} ms max={r['max'] * 1000:7.0f} ms "
        f"(fired in {r['fired_s'] * 1000:.0f} ms; "
        f"{r['fallback_routes']} fallback routes; "
        f"routing decision p99 {r['route_p99_ms']:.1f} ms)"
    )


def main():
    args = bench_arguments(__doc__, calls=100)
    base = run(FakeBackend(), args.calls, "1360")
    show("baseline", base)
    if real_odoo_skipped(args):
        return
    real = run(OdooBackend(new_workdir()), args.calls, "1361")
    show("real", real)
    print(f"ratio real/baseline p99: x{real['p99'] / base['p99']:.1f}")
    ok = real["lost"] == 0 and real["duplicated"] == 0 and real["p99"] <= 1.5
    print(f"Odoo workers: {odoo_workers_label()}")
    print(
        f"goal {args.calls} alerts, 0 lost, 0 duplicated, p99 <= 1.5 s: "
        f"{'MET' if ok else 'NOT MET'}"
    )


if __name__ == "__main__":
    main()
