import importlib.util
import logging
import os

from odoo.tests import TransactionCase, tagged

_logger = logging.getLogger(__name__)
BENCH = os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "benchmarks", "bench_checkin.py"
)


@tagged("-standard", "-at_install", "post_install", "eldercare_bench")
class TestBenchCheckin(TransactionCase):
    """Runs part 1 of benchmarks/bench_checkin.py; only with --tags
    eldercare_bench."""

    def test_bench_checkin_morning_plan(self):
        if not os.path.exists(BENCH):
            self.skipTest("benchmarks/bench_checkin.py not found")
        spec = importlib.util.spec_from_file_location("bench_checkin", BENCH)
        bench = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(bench)
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
