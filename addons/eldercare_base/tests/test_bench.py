import importlib.util
import logging
import os

from odoo.tests import TransactionCase, tagged

_logger = logging.getLogger(__name__)
BENCH = os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "benchmarks", "bench_recurring.py"
)


@tagged("-standard", "-at_install", "post_install", "eldercare_bench")
class TestBenchRecurring(TransactionCase):
    """Runs benchmarks/bench_recurring.py; only with --tags eldercare_bench."""

    def test_bench_recurring(self):
        if not os.path.exists(BENCH):
            self.skipTest("benchmarks/bench_recurring.py not found")
        spec = importlib.util.spec_from_file_location("bench_recurring", BENCH)
        bench = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(bench)
        figures = bench.run_benchmark(
            self.env,
            elders=int(os.environ.get("EC_BENCH_ELDERS", 10000)),
            naive_sample=int(os.environ.get("EC_BENCH_NAIVE_SAMPLE", 300)),
            log=_logger.info,
        )
        _logger.info("bench_recurring figures: %s", figures)
        self.assertEqual(figures["rerun_created"], 0)
        self.assertGreater(figures["orders_created"], figures["elders"])
        self.assertLessEqual(figures["cron_seconds"], bench.BUDGET_SECONDS)
