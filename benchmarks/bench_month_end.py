#!/usr/bin/env python3
"""Benchmark of the eldercare month-end run (statements + posted invoices).

What it measures, in one run, on a THROWAWAY database:

1. generates N elders x 8 verified work orders (20 providers, 11 services, 50
   communities, subsidy rules for every elder category) in an unused month;
2. ``_running_total`` latency before the month end (live pricing) for 50 elders;
3. the month-end run (``eldercare.billing.run._run``): statements, elder invoices,
   subsidy invoices and provider bills, all posted, committed in chunks;
4. ``_running_total`` latency once the statements exist;
5. a naive baseline on B other elders (the next month): one statement and one
   invoice at a time, one ORM call per line, posted and committed per elder.

The company billed is a Chinese center: unless the database's company already
has it, the benchmark creates its own company in China (CNY) on the Chinese chart
(``--chart cn``, the default; ``l10n_cn`` is a dependency of eldercare_billing), so
the invoices carry the services' VAT (exempt care services; 6/9/13 % for repairs
and deliveries) and payment terms -- the baseline too (Odoo computes its taxes).

It prints the figures, the projection for 10,000 elders (budget: 300 s) and the
speed-up over the baseline.  ``--profile FILE`` writes a cProfile of the month
end (read it with ``python3 -m pstats FILE``).  Everything it creates is
committed: use a database you can throw away.

Usage::

    # a throwaway database with the addon, without demo data
    odoo -d ec_bench -i eldercare_billing --without-demo=all --stop-after-init \\
         [--addons-path=...] [--db_host=... --db_port=... --db_user=...
          --db_password=...]
    # default: 1,000 elders, baseline on 100
    python3 benchmarks/bench_month_end.py -d ec_bench [same --addons-path/--db_*]
    # the real target: 10,000 elders x 8 lines
    python3 benchmarks/bench_month_end.py -d ec_bench --full

With the project's dev cluster (``./bin/eldercare odoo-test`` starts it): host
127.0.0.1, port 55432, user odoo, password in ``var/devpg/data.password``.
Options other than -n/--elders, --full, --baseline and --chunk are passed to
Odoo's configuration parser.
"""

import argparse
import logging
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta

LINES_PER_ELDER = 8


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-n", "--elders", type=int, default=1000)
    parser.add_argument("--full", action="store_true", help="10,000 elders")
    parser.add_argument(
        "--baseline", type=int, default=100, help="elders billed naively"
    )
    parser.add_argument("--chunk", type=int, default=0, help="month-end chunk size")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--profile", help="write a cProfile of the month end here")
    parser.add_argument(
        "--chart",
        default="cn",
        help="chart of accounts of the company billed (default: cn, the Chinese "
        "chart with its VAT and payment terms; empty: the database's company)",
    )
    args, odoo_args = parser.parse_known_args(argv)
    if args.full:
        args.elders = 10000
    return args, odoo_args


def odoo_env(odoo_args):
    import odoo
    from odoo.tools import config

    config.parse_config(odoo_args)
    # the run logs each chunk and the time of its phases (elders, subsidy
    # invoices, bills): shown whatever --log-level says, to see whether the
    # time per chunk grows along a long run
    logging.getLogger("odoo.addons.eldercare_billing.models.billing_run").setLevel(
        logging.INFO
    )
    dbname = config["db_name"]
    if not dbname:
        sys.exit("give the database with -d")
    registry = odoo.modules.registry.Registry(dbname)
    return odoo, registry


def chinese_company_env(env, chart):
    """The benchmark's own center: a company in China, in CNY, on ``chart``."""
    company = env["res.company"].search([("name", "=", "基准养老服务中心")], limit=1)
    if not company:
        cn = env.ref("base.cn")
        company = env["res.company"].create(
            {
                "name": "基准养老服务中心",
                "country_id": cn.id,
                "currency_id": cn.currency_id.id,
            }
        )
        env["account.chart.template"].try_loading(chart, company, install_demo=False)
    env.user.write({"company_ids": [(4, company.id)], "company_id": company.id})
    return env(context=dict(env.context, allowed_company_ids=company.ids))


def backend_cpu(cr):
    """CPU seconds used so far by this process and by its PostgreSQL backend
    (same machine): on a loaded machine the wall clock mostly measures the
    wait for a core, these two measure the work."""
    cr.execute("SELECT pg_backend_pid()")
    [pid] = cr.fetchone()
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])  # utime + stime
        backend = ticks / os.sysconf("SC_CLK_TCK")
    except OSError:
        backend = float("nan")  # database on another machine
    return time.process_time(), backend


def next_free_period(env):
    used = set(env["eldercare.statement"].search([]).mapped("period")) | set(
        env["eldercare.billing.run"].search([]).mapped("period")
    )
    year, month = 2031, 1
    while True:
        first = f"{year}-{month:02d}"
        nxt = f"{year + (month == 12)}-{month % 12 + 1:02d}"
        if first not in used and nxt not in used:
            return first, nxt
        year, month = (year + 1, 1) if month >= 11 else (year, month + 2)


def month_dates(period):
    year, month = (int(x) for x in period.split("-"))
    start = date(year, month, 1)
    return [start + timedelta(days=i) for i in range(28)]


def setup_fixtures(env, rnd, tag):
    """Areas, providers with contracts, payer, subsidy rules."""
    from odoo import Command

    Area = env["eldercare.area"]
    city = Area.create({"name": f"基准市 {tag}", "level": "city"})
    street = Area.create(
        {
            "name": "基准街道",
            "level": "street",
            "parent_id": Area.create(
                {"name": "基准区", "level": "district", "parent_id": city.id}
            ).id,
        }
    )
    communities = Area.create(
        [
            {"name": f"第{i + 1}社区", "level": "community", "parent_id": street.id}
            for i in range(50)
        ]
    )
    products = env["product.product"].search(
        [("is_eldercare_service", "=", True)], limit=11
    )
    payers = env["res.partner"].create(
        [
            {"name": f"和平街街道办事处 {tag}", "is_company": True},
            {"name": f"朝阳区民政局 {tag}", "is_company": True},
        ]
    )
    providers = env["res.partner"].create(
        [
            {
                "name": f"基准服务商{i + 1:02d} {tag}",
                "is_company": True,
                "is_eldercare_provider": True,
            }
            for i in range(20)
        ]
    )
    prices = {}
    contracts = []
    for provider in providers:
        lines = []
        for product in products:
            price = round(rnd.uniform(20, 150), 2)
            prices[(provider.id, product.id)] = price
            lines.append(
                Command.create({"product_id": product.id, "price_unit": price})
            )
        contracts.append(
            {
                "name": f"HT-{tag}-{provider.id}",
                "provider_id": provider.id,
                "date_start": date(2030, 1, 1),
                "state": "active",
                "area_ids": [Command.set(city.ids)],
                "line_ids": lines,
            }
        )
    env["eldercare.provider.contract"].create(contracts)
    categories = env["eldercare.elder.category"].search([])
    rules = []
    for i, category in enumerate(categories):
        pct, cap = [(100, 0), (80, 400), (50, 200), (30, 150), (0, 0)][i % 5]
        if pct:
            rules.append(
                {
                    "name": f"基准补贴 {category.name} {tag}",
                    "elder_category_id": category.id,
                    "percentage": pct,
                    "monthly_cap": cap,
                    "payer_id": payers[i % 2].id,
                }
            )
    env["eldercare.subsidy.rule"].create(rules)
    return communities, products, providers, prices, categories


def create_elders(
    env, rnd, count, communities, categories, products, providers, prices, period, label
):
    days = month_dates(period)
    elders = env["res.partner"].create(
        [
            {
                "name": f"{label}老人{i + 1:05d}",
                "is_elder": True,
                "community_id": rnd.choice(communities).id,
                "elder_category_id": rnd.choice(categories).id,
            }
            for i in range(count)
        ]
    )
    vals = []
    for elder in elders:
        for _i in range(LINES_PER_ELDER):
            product, provider = rnd.choice(products), rnd.choice(providers)
            moment = datetime.combine(rnd.choice(days), datetime.min.time()).replace(
                hour=rnd.randint(1, 9)
            )
            vals.append(
                {
                    "elder_id": elder.id,
                    "product_id": product.id,
                    "provider_id": provider.id,
                    "quantity": rnd.choice((1, 1, 1, 2)),
                    "price_unit": prices[(provider.id, product.id)],
                    "state": "verified",
                    "date_scheduled": moment,
                    "date_end": moment,
                }
            )
    orders = env["eldercare.work.order"]
    for start in range(0, len(vals), 4000):
        orders |= orders.create(vals[start : start + 4000])
    return elders


def time_running_total(env, elders, period, samples=50):
    Statement = env["eldercare.statement"]
    day = date.fromisoformat(f"{period}-15")
    timings = []
    for elder in elders[:samples]:
        env.invalidate_all()
        start = time.perf_counter()
        Statement._running_total(elder, day)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), max(timings)


def naive_month_end(env, elders, period):
    """One statement + one invoice per elder, one ORM call per line."""
    from odoo import Command

    from odoo.addons.eldercare_billing.models.statement import period_bounds

    date_from, date_to = period_bounds(period)
    Order = env["eldercare.work.order"]
    Rule = env["eldercare.subsidy.rule"]
    ContractLine = env["eldercare.provider.contract.line"]
    Line = env["eldercare.statement.line"]
    journal = env.company._eldercare_sale_journal()
    currency = env.company.currency_id
    for elder in elders:
        statement = env["eldercare.statement"].create(
            {"partner_id": elder.id, "period": period}
        )
        invoice_lines = []
        for order in Order.search(
            [
                ("elder_id", "=", elder.id),
                ("state", "in", ("done", "verified")),
                ("billing_date", ">=", date_from),
                ("billing_date", "<=", date_to),
            ]
        ):
            contract_line = ContractLine.search(
                [
                    ("contract_id.provider_id", "=", order.provider_id.id),
                    ("product_id", "=", order.product_id.id),
                    ("contract_id.state", "=", "active"),
                ],
                limit=1,
            )
            price = contract_line.price_unit or order.price_unit
            amount = currency.round(order.quantity * price)
            rule = Rule.search(
                [("elder_category_id", "=", elder.elder_category_id.id)], limit=1
            )
            subsidy = currency.round(amount * rule.percentage / 100) if rule else 0.0
            Line.create(
                {
                    "statement_id": statement.id,
                    "work_order_id": order.id,
                    "date": order.billing_date,
                    "product_id": order.product_id.id,
                    "provider_id": order.provider_id.id,
                    "quantity": order.quantity,
                    "price_unit": price,
                    "amount": amount,
                    "amount_subsidy": subsidy,
                    "amount_elder": currency.round(amount - subsidy),
                    "payer_id": rule.payer_id.id,
                }
            )
            if amount - subsidy:
                invoice_lines.append(
                    Command.create(
                        {
                            "product_id": order.product_id.id,
                            "quantity": 1,
                            "price_unit": currency.round(amount - subsidy),
                        }
                    )
                )
        if invoice_lines:
            invoice = env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": elder.id,
                    "journal_id": journal.id,
                    "invoice_date": date_to,
                    "invoice_payment_term_id": env.company._eldercare_payment_term(
                        "elder", elder
                    ).id,
                    "invoice_line_ids": invoice_lines,
                }
            )
            invoice.action_post()
            statement.invoice_id = invoice
        statement.state = "invoiced"
        env.cr.commit()


def main(argv=None):
    args, odoo_args = parse_args(sys.argv[1:] if argv is None else argv)
    odoo, registry = odoo_env(odoo_args)
    rnd = random.Random(args.seed)
    with registry.cursor() as cr:
        env = odoo.api.Environment(
            cr,
            odoo.SUPERUSER_ID,
            {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True},
        )
        if "eldercare.billing.run" not in env:
            sys.exit("eldercare_billing is not installed in this database")
        if args.chart and env.company.chart_template != args.chart:
            env = chinese_company_env(env, args.chart)
            cr.commit()
        if not env.company._eldercare_sale_journal():
            sys.exit("the company has no chart of accounts / sales journal")
        if args.chunk:
            env.company.eldercare_billing_chunk_size = args.chunk
        period, baseline_period = next_free_period(env)
        tag = f"{period}-{args.seed}"
        print(
            f"database {cr.dbname}, month {period}, {args.elders} elders x "
            f"{LINES_PER_ELDER} lines; baseline {args.baseline} elders"
        )

        started = time.perf_counter()
        fixtures = setup_fixtures(env, rnd, tag)
        communities, products, providers, prices, categories = fixtures
        elders = create_elders(
            env,
            rnd,
            args.elders,
            communities,
            categories,
            products,
            providers,
            prices,
            period,
            "基准",
        )
        baseline_elders = create_elders(
            env,
            rnd,
            args.baseline,
            communities,
            categories,
            products,
            providers,
            prices,
            baseline_period,
            "对照",
        )
        cr.commit()
        print(f"data generated in {time.perf_counter() - started:.1f} s")

        sample = elders.browse(rnd.sample(elders.ids, min(50, len(elders))))
        live_median, live_max = time_running_total(env, sample, period)

        env.invalidate_all()
        run = env["eldercare.billing.run"].create({"period": period})
        cr.commit()
        cpu_before = backend_cpu(cr)
        started = time.perf_counter()
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.runcall(run._run)
            profiler.dump_stats(args.profile)
        else:
            run._run()
        elapsed = time.perf_counter() - started
        cr.commit()
        cpu_after = backend_cpu(cr)
        odoo_cpu = cpu_after[0] - cpu_before[0]
        pg_cpu = cpu_after[1] - cpu_before[1]
        moves = env["account.move"].search_count(
            [("eldercare_run_id", "=", run.id), ("state", "=", "posted")]
        )
        lines = env["eldercare.statement.line"].search_count([("period", "=", period)])
        stored_median, stored_max = time_running_total(env, sample, period)

        naive_before = backend_cpu(cr)
        started = time.perf_counter()
        naive_month_end(env, baseline_elders, baseline_period)
        naive_elapsed = time.perf_counter() - started
        naive_after = backend_cpu(cr)
        naive_cpu = sum(naive_after) - sum(naive_before)

        rate = args.elders / elapsed
        naive_rate = args.baseline / naive_elapsed
        print()
        print(
            f"month end ({run.state}): {run.statement_count} statements, "
            f"{lines} lines, {moves} posted invoices/bills in {elapsed:.1f} s "
            f"-> {rate:.1f} elders/s"
        )
        taxed = env["account.move"].search(
            [("eldercare_run_id", "=", run.id), ("amount_tax", "!=", 0)]
        )
        termed = env["account.move"].search_count(
            [
                ("eldercare_run_id", "=", run.id),
                ("invoice_payment_term_id", "!=", False),
            ]
        )
        print(
            f"company {env.company.name}: chart {env.company.chart_template}, "
            f"{env.company.currency_id.name}; {len(taxed)} moves with VAT "
            f"(total {sum(taxed.mapped('amount_tax')):.2f}), {termed} with "
            "payment terms"
        )
        print(
            f"CPU of the month end: Odoo {odoo_cpu:.1f} s + PostgreSQL backend "
            f"{pg_cpu:.1f} s = {odoo_cpu + pg_cpu:.1f} s; load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        print(f"projected for 10,000 elders: {10000 / rate:.0f} s (budget 300 s)")
        if args.elders != 10000:
            print(
                "projected from CPU (one month end alone on the machine): "
                f"{(odoo_cpu + pg_cpu) * 10000 / args.elders:.0f} s"
            )
        print(
            f"naive baseline (one invoice at a time): {args.baseline} elders in "
            f"{naive_elapsed:.1f} s -> {naive_rate:.1f} elders/s "
            f"(10,000 elders: {10000 / naive_rate:.0f} s)"
        )
        print(f"speed-up over the baseline: {rate / naive_rate:.1f}x")
        print(
            f"CPU per elder: month end {(odoo_cpu + pg_cpu) / args.elders * 1000:.0f}"
            f" ms, baseline {naive_cpu / args.baseline * 1000:.0f} ms "
            f"({naive_cpu / args.baseline / ((odoo_cpu + pg_cpu) / args.elders):.1f}x)"
        )
        print(
            f"_running_total live (before month end): median {live_median:.1f} ms, "
            f"max {live_max:.1f} ms"
        )
        print(
            f"_running_total from statements: median {stored_median:.1f} ms, "
            f"max {stored_max:.1f} ms (budget 200 ms)"
        )
        print(run.summary)


if __name__ == "__main__":
    main()
