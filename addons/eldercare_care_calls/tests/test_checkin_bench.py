import logging
import os

from odoo.tests import TransactionCase, tagged

from odoo.addons.eldercare_base.tests.common import load_benchmark

_logger = logging.getLogger(__name__)


@tagged("-standard", "-at_install", "post_install", "eldercare_bench")
class TestBenchCheckin(TransactionCase):
    """Runs part 1 of benchmarks/bench_checkin.py; only with --tags
    eldercare_bench."""

    def test_bench_checkin_morning_plan(self):
        bench = load_benchmark(self, "bench_checkin")
        elders = int(os.environ.get("EC_BENCH_ELDERS", 10000))
        figures = bench.run_benchmark(
            self.env,
            elders=elders,
            naive_sample=int(os.environ.get("EC_BENCH_NAIVE_SAMPLE", 300)),
            log=_logger.info,
        )
        _logger.info("bench_checkin figures: %s", figures)
        self.assertEqual(figures["attempts_created"], elders)
        self.assertEqual(figures["rerun_created"], 0)
        self.assertLessEqual(figures["plan_seconds"], bench.BUDGET_SECONDS)
