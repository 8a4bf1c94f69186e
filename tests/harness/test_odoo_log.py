"""The harness reads Odoo's log: counts must enter the summary, errors must fail it."""

import textwrap

from tools.ecctl import odoo as odoo_mod
from tools.ecctl.testrun import Tier, odoo_tier_counts, summarize

HEAD = "2026-11-26 01:02:03,456 4242"
REPORT = "odoo.tests.result: {} when loading database 'db'"


def write_log(tmp_path, body):
    path = tmp_path / "odoo.log"
    path.write_text(textwrap.dedent(body).replace("@", HEAD))
    return str(path)


def test_counts_from_odoo_report(tmp_path):
    log = write_log(
        tmp_path,
        """\
        @ INFO db odoo.modules.loading: 42 modules loaded in 1.00s
        @ ERROR db odoo.addons.eldercare_base.tests.test_phone: FAIL: test_x
        @ INFO db {}
        """.format(REPORT.format("1 failed, 2 error(s) of 30 tests")),
    )
    parsed = odoo_mod.parse_test_log(log)
    assert parsed["stats_found"]
    assert (parsed["tests"], parsed["failed"], parsed["problems"]) == (30, 3, [])


def test_install_error_outside_tests_is_a_failure(tmp_path):
    log = write_log(
        tmp_path,
        """\
        @ ERROR db odoo.tools.convert: while parsing demo/elder_demo.xml:12
        @ INFO db {}
        """.format(REPORT.format("0 failed, 0 error(s) of 5 tests")),
    )
    tier = Tier("odoo")
    odoo_tier_counts(tier, log, 0)
    assert (tier.passed, tier.failed) == (5, 1)
    assert "elder_demo.xml" in tier.notes[0]


def test_missing_report_is_a_failure(tmp_path):
    log = write_log(tmp_path, "@ CRITICAL db odoo.service.server: Failed to init\n")
    tier = Tier("odoo")
    odoo_tier_counts(tier, log, 255)
    assert tier.failed == 2  # the CRITICAL line and the missing report


def test_summary_line_and_exit_code(capsys):
    ok, bad, skipped = Tier("lint"), Tier("odoo"), Tier("browser")
    ok.passed, bad.passed, bad.failed = 3, 4, 1
    skipped.skip("chromium not installed")
    assert summarize([ok, bad, skipped], 1.0) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "7 passed, 1 failed"
    assert "  - browser: chromium not installed" in out
    assert summarize([ok], 1.0) == 0


def test_nothing_ran_is_not_green(capsys):
    assert summarize([Tier("lint").skip("x")], 1.0) == 1
