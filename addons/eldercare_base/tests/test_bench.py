import logging
import os

from odoo.tests import TransactionCase, tagged

from .common import load_benchmark

_logger = logging.getLogger(__name__)


@tagged("-standard", "-at_install", "post_install", "eldercare_bench")
class TestBenchRecurring(TransactionCase):
    """Runs benchmarks/bench_recurring.py; only with --tags eldercare_bench."""

    def test_bench_recurring(self):
        bench = load_benchmark(self, "bench_recurring")
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
