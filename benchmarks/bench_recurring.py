"""Benchmark: recurring needs -> work orders for 10,000 elders over 14 days.

What it does (all inside one transaction that is rolled back at the end, so the
database is left exactly as it was -- use a throwaway database anyway):

1. creates N elders (default 10,000) in one community and one recurring need per
   elder (60 % weekly Mon+Thu, 20 % weekly Wed, 20 % monthly on a day of the
   month), without generating anything yet;
2. times ``eldercare.recurring.need._cron_generate_work_orders()`` -- the batched
   generator (one query for the existing orders and one ``create()`` per chunk
   of 2,000 needs) -- for the default 14-day horizon;
3. times a second cron run (idempotency: it must create nothing);
4. times a naive per-need baseline on a sample of needs (per occurrence: one
   ``search_count`` then one ``create()``), rolled back, and extrapolates it to
   all needs;
5. prints the figures, the speed-up ratio and whether the 60 s budget is met.

The database must have ``eldercare_base`` installed; make a throwaway one with::

    odoo -d ec_bench -i eldercare_base --without-demo=all --stop-after-init \
        --addons-path=/opt/odoo18/addons,addons [--db_host=... --db_user=...]

and drop it afterwards (``dropdb ec_bench``).

Run it
------
* As a standalone script (any Odoo 18 options after ``--``)::

      python3 benchmarks/bench_recurring.py -d bench_db --elders 10000 \\
          -- --addons-path=/opt/odoo18/addons,addons --db_host=127.0.0.1 ...

  The database can also come from ``EC_BENCH_DB`` (and ``EC_ODOO_CONF`` a
  config file passed as ``-c``).
* Inside ``odoo shell`` (``env`` is already there)::

      odoo shell -d bench_db --addons-path=... < benchmarks/bench_recurring.py

  (set ``EC_BENCH_ELDERS`` / ``EC_BENCH_NAIVE_SAMPLE`` to change the sizes).
* Through the project harness, which builds the throwaway database itself: the
  addon ships a test tagged ``eldercare_bench`` (excluded from normal runs) that
  loads this file and runs it::

      ./bin/eldercare odoo-test eldercare_base --tags eldercare_bench

  (``EC_BENCH_ELDERS`` is honoured there too).
"""

import argparse
import os
import sys
import time
from datetime import date, timedelta

BUDGET_SECONDS = 60.0


def run_benchmark(env, elders=10000, naive_sample=300, log=print):
    """Run the benchmark in ``env`` (rolled back) and return the figures."""
    from odoo import fields

    env = env(
        context=dict(
            env.context,
            tracking_disable=True,
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            mail_notrack=True,
        )
    )
    Need = env["eldercare.recurring.need"]
    WorkOrder = env["eldercare.work.order"]
    figures = {"elders": elders}
    cr = env.cr
    cr.execute("SAVEPOINT eldercare_bench")
    try:
        t0 = time.perf_counter()
        city = env["eldercare.area"].create({"name": "基准市", "level": "city"})
        community = env["eldercare.area"].create(
            {"name": "基准社区", "level": "community", "parent_id": city.id}
        )
        partners = env["res.partner"].create(
            [
                {
                    "name": f"基准老人{i:05d}",
                    "is_elder": True,
                    "community_id": community.id,
                }
                for i in range(elders)
            ]
        )
        products = [
            env.ref("eldercare_base.product_service_nanny"),
            env.ref("eldercare_base.product_service_meal"),
            env.ref("eldercare_base.product_service_gas_delivery"),
        ]
        start = fields.Date.context_today(Need) - timedelta(days=3)
        vals_list = []
        for i, partner in enumerate(partners):
            kind = i % 10
            vals = {
                "elder_id": partner.id,
                "date_start": start,
                "product_id": products[kind % 3].id,
            }
            if kind < 6:
                vals.update(freq="weekly", mon=True, thu=True)
            elif kind < 8:
                vals.update(freq="weekly", wed=True)
            else:
                vals.update(freq="monthly", month_day=(i % 28) + 1)
            vals_list.append(vals)
        needs = Need.with_context(eldercare_no_generate=True).create(vals_list)
        env.flush_all()
        figures["setup_seconds"] = time.perf_counter() - t0
        log(
            f"setup: {elders} elders + {len(needs)} needs in "
            f"{figures['setup_seconds']:.1f} s"
        )

        # ------------------------------------------------------ batched cron
        env.invalidate_all()
        t0 = time.perf_counter()
        created = Need._cron_generate_work_orders()
        env.flush_all()
        figures["cron_seconds"] = time.perf_counter() - t0
        figures["orders_created"] = created
        log(
            f"cron: {created} work orders for {len(needs)} needs in "
            f"{figures['cron_seconds']:.1f} s "
            f"({created / max(figures['cron_seconds'], 1e-9):.0f} orders/s)"
        )

        t0 = time.perf_counter()
        again = Need._cron_generate_work_orders()
        env.flush_all()
        figures["rerun_seconds"] = time.perf_counter() - t0
        figures["rerun_created"] = again
        log(f"rerun: {again} created (idempotent) in {figures['rerun_seconds']:.1f} s")

        # ------------------------------------------------- naive baseline
        sample = needs[: min(naive_sample, len(needs))]
        cr.execute("SAVEPOINT eldercare_bench_naive")
        WorkOrder.search([("need_id", "in", sample.ids)]).with_context(
            eldercare_regenerate=True
        ).unlink()
        env.flush_all()
        env.invalidate_all()
        now = fields.Datetime.now().replace(microsecond=0)
        horizon_end = now + timedelta(days=Need._horizon_days())
        t0 = time.perf_counter()
        naive_created = 0
        for need in sample:
            for when in need._occurrences(now, horizon_end):
                if WorkOrder.search_count(
                    [("need_id", "=", need.id), ("date_scheduled", "=", when)]
                ):
                    continue
                WorkOrder.create(need._prepare_work_order_vals(when, None))
                naive_created += 1
        env.flush_all()
        naive_seconds = time.perf_counter() - t0
        cr.execute("ROLLBACK TO SAVEPOINT eldercare_bench_naive")
        env.invalidate_all()
        per_need = naive_seconds / max(len(sample), 1)
        figures["naive_sample"] = len(sample)
        figures["naive_sample_seconds"] = naive_seconds
        figures["naive_sample_created"] = naive_created
        figures["naive_extrapolated_seconds"] = per_need * len(needs)
        figures["ratio"] = figures["naive_extrapolated_seconds"] / max(
            figures["cron_seconds"], 1e-9
        )
        log(
            f"naive: {naive_created} orders for {len(sample)} needs in "
            f"{naive_seconds:.1f} s -> {figures['naive_extrapolated_seconds']:.0f} s "
            f"extrapolated to {len(needs)} needs"
        )
        log(
            f"ratio naive/batched: {figures['ratio']:.1f}x; budget "
            f"{BUDGET_SECONDS:.0f} s: "
            f"{'OK' if figures['cron_seconds'] <= BUDGET_SECONDS else 'OVER'}"
        )
    finally:
        cr.execute("ROLLBACK TO SAVEPOINT eldercare_bench")
        env.invalidate_all()
    figures["budget_seconds"] = BUDGET_SECONDS
    figures["date"] = date.today().isoformat()
    return figures


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    odoo_args = []
    if "--" in argv:
        cut = argv.index("--")
        argv, odoo_args = argv[:cut], argv[cut + 1 :]
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-d", "--database", default=os.environ.get("EC_BENCH_DB"))
    parser.add_argument(
        "--elders", type=int, default=int(os.environ.get("EC_BENCH_ELDERS", 10000))
    )
    parser.add_argument(
        "--naive-sample",
        type=int,
        default=int(os.environ.get("EC_BENCH_NAIVE_SAMPLE", 300)),
    )
    args = parser.parse_args(argv)
    if not args.database:
        parser.error("give the database with -d or EC_BENCH_DB")
    if os.environ.get("EC_ODOO_CONF") and "-c" not in odoo_args:
        odoo_args = ["-c", os.environ["EC_ODOO_CONF"], *odoo_args]

    import odoo
    from odoo import SUPERUSER_ID, api

    odoo.tools.config.parse_config([*odoo_args, "-d", args.database])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        figures = run_benchmark(env, elders=args.elders, naive_sample=args.naive_sample)
        cr.rollback()
    sys.stdout.write(f"{figures}\n")
    return 0 if figures["cron_seconds"] <= BUDGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
elif "env" in globals():  # piped into `odoo shell`
    run_benchmark(
        env,  # noqa: F821 - provided by odoo shell
        elders=int(os.environ.get("EC_BENCH_ELDERS", 10000)),
        naive_sample=int(os.environ.get("EC_BENCH_NAIVE_SAMPLE", 300)),
    )
    env.cr.rollback()  # noqa: F821
