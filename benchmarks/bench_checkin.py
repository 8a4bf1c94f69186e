"""Benchmark: daily check-in calls.

Part 1 -- **morning plan** (Odoo only, one transaction rolled back): N elders
(default 10,000) with a check-in plan each (windows 08:00-10:00 / 09:00-11:00,
numbers looked up with the one best-number rule); times
``eldercare.checkin.plan._eldercare_plan_day(day)`` (one search, one read of
the numbers, creates by 2,000) against a naive per-plan baseline on a sample
(per plan: a ``search_count`` for an existing attempt, the best number, one
``create()``), extrapolated to N. Goal: <= 30 s for 10,000.

    ./bin/eldercare odoo-test eldercare_care_calls --tags eldercare_bench

  (``EC_BENCH_ELDERS`` / ``EC_BENCH_NAIVE_SAMPLE`` change the sizes), or in
  ``odoo shell -d <db> < benchmarks/bench_checkin.py``.

Part 2 -- **dialer occupancy** (real Asterisk 22 + bridge + Odoo, the
integration stack): ``--attempts`` (30) check-ins due at once with
``--channels`` (5) outbound channels; the elders' phones are Local channels
of ``eldercare-dialer-sim`` that answer and press 1 (``1999 1...``). Samples
every 0.2 s how many check-in channels are up in Asterisk
(``CoreShowChannels``) while attempts remain; reports the mean occupancy in
% of N (goal >= 90 %), the time to the last result and that every attempt
ended with a recorded result. Baseline (same run): the dialer's work measured
against the ideal (attempts x mean call length / N).

    eval "$(./bin/eldercare dev-env | grep ^export)"
    python3 benchmarks/bench_checkin.py --attempts 30 --channels 5
"""

import argparse
import datetime
import os
import sys
import time

BUDGET_SECONDS = 30.0


# ------------------------------------------------------------------ part 1
def run_benchmark(env, elders=10000, naive_sample=300, log=print):
    """Run part 1 in ``env`` (rolled back by the caller) and return figures."""
    env = env(context=dict(env.context, tracking_disable=True))
    Plan = env["eldercare.checkin.plan"]
    Attempt = env["eldercare.checkin.attempt"]
    Attempt.search([]).unlink()
    Plan.with_context(active_test=False).search([]).unlink()
    t0 = time.perf_counter()
    partners = env["res.partner"].create(
        [
            {
                "name": f"基准长者{i}",
                "is_elder": True,
                "tz": "Asia/Shanghai",
                "mobile": f"1371{i:07d}",
            }
            for i in range(elders)
        ]
    )
    Plan.create(
        [
            {
                "elder_id": p.id,
                "window_start": 8.0 if i % 2 else 9.0,
                "window_end": 10.0 if i % 2 else 11.0,
                "retries": 2,
                "retry_minutes": 20,
            }
            for i, p in enumerate(partners)
        ]
    )
    env.flush_all()
    env.invalidate_all()
    log(f"seeded {elders} elders and plans in {time.perf_counter() - t0:.1f} s")
    day = datetime.date(2026, 12, 2)
    t0 = time.perf_counter()
    created = Plan._eldercare_plan_day(day)
    env.flush_all()
    plan_seconds = time.perf_counter() - t0
    count = len(created)
    env.invalidate_all()
    t0 = time.perf_counter()
    rerun = len(Plan._eldercare_plan_day(day))
    rerun_seconds = time.perf_counter() - t0
    # naive baseline on a sample, another day, then dropped
    sample = Plan.search([], limit=naive_sample)
    other = day + datetime.timedelta(days=1)
    best = env["eldercare.pbx"]._eldercare_best_number
    env.invalidate_all()
    t0 = time.perf_counter()
    for plan in sample:
        if Attempt.search_count([("plan_id", "=", plan.id), ("date", "=", other)]):
            continue
        plan.invalidate_recordset()
        Attempt.create(
            {
                "plan_id": plan.id,
                "elder_id": plan.elder_id.id,
                "company_id": plan.company_id.id,
                "date": other,
                "number": best(plan.elder_id),
                "next_call_at": datetime.datetime.combine(other, datetime.time(1)),
            }
        )
    env.flush_all()
    naive_sample_seconds = time.perf_counter() - t0
    naive_seconds = naive_sample_seconds * elders / max(1, len(sample))
    figures = {
        "elders": elders,
        "attempts_created": count,
        "plan_seconds": round(plan_seconds, 2),
        "rerun_created": rerun,
        "rerun_seconds": round(rerun_seconds, 2),
        "naive_sample": len(sample),
        "naive_extrapolated_seconds": round(naive_seconds, 1),
        "speedup": round(naive_seconds / plan_seconds, 1) if plan_seconds else None,
        "within_budget": plan_seconds <= BUDGET_SECONDS,
    }
    log(
        f"morning plan: {count} attempts for {elders} elders in {plan_seconds:.1f} s "
        f"(budget {BUDGET_SECONDS:.0f} s); rerun created {rerun} in "
        f"{rerun_seconds:.1f} s; naive per-plan baseline ~{naive_seconds:.0f} s "
        f"(sample {len(sample)}): x{figures['speedup']}"
    )
    return figures


# ------------------------------------------------------------------ part 2
def run_dialer(attempts=30, channels=5):
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(os.path.dirname(here), "tests", "integration"))
    from stack import OdooBackend, Stack, new_workdir
    from test_cascade import Admin

    workdir = new_workdir()
    backend = OdooBackend(workdir)
    stack = Stack(backend, workdir)
    try:
        admin = Admin(backend)
        for key, value in {
            "eldercare_asterisk.dial_out_context": "eldercare-dialer-sim",
            "eldercare_asterisk.dial_max_channels": str(channels),
            "eldercare_care_calls.checkin_ring_seconds": "6",
        }.items():
            admin("ir.config_parameter", "set_param", key, value)
        tag = "%05d" % (int(time.time()) % 100000)
        plans = []
        for i in range(attempts):
            number = f"19991{tag}{i:03d}"
            elder = admin(
                "res.partner",
                "create",
                {"name": f"占用{i}", "is_elder": True, "mobile": number},
            )
            plans.append(
                admin(
                    "eldercare.checkin.plan",
                    "create",
                    {"elder_id": elder, "window_start": 0.0, "window_end": 24.0},
                )
            )
        samples = []
        t0 = time.monotonic()
        admin("eldercare.checkin.plan", "action_plan_today", plans[:1])
        # all due now (the planner spreads first calls over the window)
        ids = admin("eldercare.checkin.attempt", "search", [("plan_id", "in", plans)])
        admin(
            "eldercare.checkin.attempt",
            "write",
            ids,
            {"next_call_at": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())},
        )

        def open_count():
            return admin(
                "eldercare.checkin.attempt",
                "search_count",
                [("plan_id", "in", plans), ("state", "in", ("planned", "calling"))],
            )

        remaining = attempts
        while remaining:
            entries = stack.ami.action_list("CoreShowChannels")
            up = sum(
                1
                for e in entries
                if e.get("Context") == "eldercare-dialer"
                or (
                    str(e.get("Channel", "")).startswith("Local/19991")
                    and str(e.get("Channel", "")).endswith(";1")
                )
            )
            remaining = open_count()
            waiting = admin(
                "eldercare.checkin.attempt",
                "search_count",
                [("plan_id", "in", plans), ("state", "=", "planned")],
            )
            samples.append((time.monotonic() - t0, up, waiting))
            if time.monotonic() - t0 > 600:
                raise AssertionError("attempts did not finish in 10 min")
            time.sleep(0.2)
        total = time.monotonic() - t0
        rows = admin(
            "eldercare.checkin.attempt",
            "search_read",
            [("plan_id", "in", plans)],
            ["state", "result"],
        )
        # occupancy while some attempt still waited for a channel
        busy = [min(up, channels) for _t, up, waiting in samples if waiting > 0]
        occupancy = 100.0 * sum(busy) / (len(busy) * channels) if busy else 0.0
        results = {r["result"] for r in rows}
        calls = admin(
            "eldercare.dial.request",
            "search_read",
            [("res_model", "=", "eldercare.checkin.attempt"), ("res_id", "in", ids)],
            ["sent_at", "ended_at"],
        )
        parse = datetime.datetime.fromisoformat
        lengths = [
            (parse(c["ended_at"]) - parse(c["sent_at"])).total_seconds()
            for c in calls
            if c["sent_at"] and c["ended_at"]
        ]
        mean_call = sum(lengths) / len(lengths) if lengths else 0.0
        # baseline: perfectly packed channels (no gap between two calls)
        ideal = mean_call * len(lengths) / channels
        figures = {
            "attempts": attempts,
            "channels": channels,
            "seconds_to_last_result": round(total, 1),
            "occupancy_pct_while_waiting": round(occupancy, 1),
            "samples_while_waiting": len(busy),
            "all_recorded": all(r["result"] for r in rows),
            "states": sorted({r["state"] for r in rows}),
            "results": sorted(results - {False}),
            "calls_placed": len(calls),
            "mean_call_seconds": round(mean_call, 2),
            "ideal_packed_seconds": round(ideal, 1),
            "ratio_ideal_vs_actual": round(ideal / total, 3) if total else None,
        }
        print(figures)
        return figures
    finally:
        stack.close()
        backend.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--attempts", type=int, default=30)
    parser.add_argument("--channels", type=int, default=5)
    args = parser.parse_args()
    run_dialer(args.attempts, args.channels)


if __name__ == "__main__":
    if "env" in globals():  # odoo shell
        run_benchmark(
            globals()["env"],
            elders=int(os.environ.get("EC_BENCH_ELDERS", 10000)),
            naive_sample=int(os.environ.get("EC_BENCH_NAIVE_SAMPLE", 300)),
        )
        globals()["env"].cr.rollback()
    else:
        main()
