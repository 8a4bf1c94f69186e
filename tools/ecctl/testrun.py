"""The test command: every tier, one aggregated summary, non-zero exit on failure."""

import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

from . import odoo as odoo_mod
from . import setup
from .paths import ADDONS_DIR, LOG_DIR, ROOT
from .pg import Cluster, free_port

TOUR_TAG = "eldercare_tour"
LINT_PATHS = ["addons", "tools", "tests", "benchmarks"]
# prettier (the pinned pre-commit hook, from npm) checks every file of the
# tree the pre-commit config gives it (PRETTIER_RE, var/ and the hidden and
# generated directories aside), except:
# - XML: only PRETTIER_XML. With xmlWhitespaceSensitivity "ignore" prettier
#   rewraps text content, and in Odoo data that text is a value: an SMS
#   template body, a demo note, a record-rule comment, an OWL template's
#   spacing. An XML file joins the list once formatted and checked by hand.
# - PRETTIER_PENDING: files being changed elsewhere while the tree is
#   formatted (empty once merged and formatted).
PRETTIER_RE = re.compile(r"\.(css|htm|html|js|json|jsx|less|md|scss|ts|xml|yaml|yml)$")
PRETTIER_SKIP_DIRS = {"var", "node_modules", "__pycache__"}
PRETTIER_XML = {
    "addons/eldercare_base/demo/res_company_logo_demo.xml",
    "addons/eldercare_base/views/webclient_templates.xml",
    "addons/eldercare_household/data/auth_signup_data.xml",
}
PRETTIER_PENDING = set()


def prettier_files(root=ROOT):
    """The files prettier checks, relative to ``root``, sorted."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [
            d for d in dirnames if d not in PRETTIER_SKIP_DIRS and not d.startswith(".")
        ]
        for name in filenames:
            path = os.path.relpath(os.path.join(dirpath, name), root)
            if not PRETTIER_RE.search(name) or path in PRETTIER_PENDING:
                continue
            if not name.endswith(".xml") or path in PRETTIER_XML:
                found.append(path)
    return sorted(found)


class Tier:
    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.skip_reason = None
        self.notes = []
        # checks that are not tests (files that parse): shown, never summed
        self.checks = {}
        self.seconds = 0.0

    def skip(self, reason):
        self.skip_reason = reason
        return self

    def line(self):
        if self.skip_reason:
            return f"  {self.name:<9} SKIPPED: {self.skip_reason}"
        extra = f", {self.skipped} skipped" if self.skipped else ""
        for label, count in self.checks.items():
            extra += f"; {count} {label}"
        status = "ok" if not self.failed else "FAILED"
        return (
            f"  {self.name:<9} {status:<6} {self.passed} passed, {self.failed} failed"
            f"{extra} ({self.seconds:.0f} s)"
        )


def say(msg):
    print(f"[test] {msg}", flush=True)


def run(cmd, logfile=None, env=None, cwd=ROOT):
    say("$ " + shlex.join(cmd))
    if logfile:
        with open(logfile, "w") as handle:
            proc = subprocess.run(
                cmd, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT
            )
        with open(logfile, errors="replace") as handle:
            out = handle.read()
    else:
        proc = subprocess.run(
            cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False
        )
        out = proc.stdout + proc.stderr
    return proc.returncode, out


# -- lint ---------------------------------------------------------------------
def tier_lint(tier):
    paths = [p for p in LINT_PATHS if os.path.isdir(os.path.join(ROOT, p))]
    checks = [
        ("ruff check", [sys.executable, "-m", "ruff", "check", *paths]),
        (
            "ruff format",
            [sys.executable, "-m", "ruff", "format", "--check", "--diff", *paths],
        ),
    ]
    for addon in odoo_mod.our_addons():
        checks.append(
            (
                f"pylint-odoo {addon}",
                [
                    sys.executable,
                    "-m",
                    "pylint",
                    "--rcfile",
                    os.path.join(ROOT, ".pylintrc-mandatory"),
                    os.path.join("addons", addon),
                ],
            )
        )
    prettier = setup.prettier_command()
    if prettier:
        checks.append(("prettier", [*prettier, "--check", *prettier_files()]))
    else:
        tier.skipped += 1
        tier.notes.append("prettier not installed (npm unavailable): not checked")
    for label, cmd in checks:
        rc, out = run(cmd)
        if rc == 0:
            tier.passed += 1
        else:
            tier.failed += 1
            tier.notes.append(f"{label} failed:\n{out[-4000:]}")
    # XML files that parse are a check, not a test: shown apart, not summed;
    # one that does not parse is a failure
    parsed = 0
    for path in sorted(
        glob.glob(os.path.join(ADDONS_DIR, "**", "*.xml"), recursive=True)
    ):
        try:
            ET.parse(path)
            parsed += 1
        except ET.ParseError as exc:
            tier.failed += 1
            tier.notes.append(
                f"XML does not parse: {os.path.relpath(path, ROOT)}: {exc}"
            )
    tier.checks["XML files parse (not counted as tests)"] = parsed


# -- pytest -------------------------------------------------------------------
def pytest_counts(junit):
    root = ET.parse(junit).getroot()
    suites = [root] if root.tag == "testsuite" else list(root)
    total = failed = skipped = 0
    for suite in suites:
        total += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return total - failed - skipped, failed, skipped


def tier_pytest(tier, args, workdir, env=None, logname="pytest"):
    junit = os.path.join(workdir, f"{logname}.xml")
    logfile = os.path.join(LOG_DIR, f"{logname}.log")
    cmd = [sys.executable, "-m", "pytest", "-q", "-rs", f"--junitxml={junit}", *args]
    rc, out = run(cmd, logfile=logfile, env=env)
    print(out[-6000:], flush=True)
    if rc == 5 or not os.path.exists(junit):
        if rc not in (0, 5):
            tier.failed += 1
            tier.notes.append(f"pytest could not run (rc={rc}), see {logfile}")
        return
    passed, failed, skipped = pytest_counts(junit)
    tier.passed += passed
    tier.failed += failed
    tier.skipped += skipped
    if rc != 0 and not failed:
        tier.failed += 1
        tier.notes.append(f"pytest exited {rc}, see {logfile}")


# -- odoo ---------------------------------------------------------------------
def odoo_tier_counts(tier, logfile, rc):
    parsed = odoo_mod.parse_test_log(logfile)
    tier.passed += parsed["tests"] - parsed["failed"]
    tier.failed += parsed["failed"]
    if parsed["problems"]:
        tier.failed += len(parsed["problems"])
        tier.notes.append(
            "ERROR/CRITICAL lines outside tests (each counted as a failure):\n  "
            + "\n  ".join(parsed["problems"][:20])
        )
    if not parsed["stats_found"]:
        tier.failed += 1
        tier.notes.append(f"Odoo ran no test report (rc={rc}); see {logfile}")
    elif rc != 0 and not parsed["failed"] and not parsed["problems"]:
        tier.failed += 1
        tier.notes.append(f"Odoo exited {rc}; see {logfile}")
    tier.notes.append(f"log: {logfile}")


def print_failures(logfile, limit=60):
    """Show the failing tests' lines from an Odoo log."""
    shown = 0
    with open(logfile, errors="replace") as handle:
        for line in handle:
            if (" ERROR " in line or " CRITICAL " in line or "FAIL:" in line) and (
                shown < limit
            ):
                print("    " + line.rstrip()[:400])
                shown += 1


def install_test_args(addons, tags):
    return [
        "-i",
        ",".join(addons),
        "--test-enable",
        "--test-tags",
        tags,
        "--stop-after-init",
    ]


def odoo_env_vars(odoo, cluster, db, deps_template=None):
    extra = {"EC_ODOO_DEPS_TEMPLATE": deps_template} if deps_template else {}
    return extra | {
        "EC_PG_HOST": cluster.host,
        "EC_PG_PORT": str(cluster.port),
        "EC_PG_USER": cluster.user,
        "EC_PG_PASSWORD": cluster.password,
        "EC_ODOO_CMD": shlex.join(odoo.cmd),
        "EC_ODOO_ADDONS_PATH": odoo.addons_path,
        "EC_ODOO_DB_TEMPLATE": db,
    }


def run_all(args):
    os.makedirs(LOG_DIR, exist_ok=True)
    started = time.time()
    tiers = []
    workdir = tempfile.mkdtemp(prefix="eldercare-test-")
    os.chmod(workdir, 0o755)
    cluster = None
    try:
        if "lint" in args.tiers:
            tier = Tier("lint")
            t0 = time.time()
            tier_lint(tier)
            tier.seconds = time.time() - t0
            tiers.append(tier)
        if "python" in args.tiers:
            tier = Tier("python")
            t0 = time.time()
            tier_pytest(
                tier,
                [
                    "tests",
                    "--ignore=tests/integration",
                    "--ignore=tests/ops",
                    "--timeout=120",
                ],
                workdir,
                logname="python",
            )
            tier.seconds = time.time() - t0
            tiers.append(tier)

        odoo = None
        odoo_reason = None
        try:
            odoo = odoo_mod.find_odoo()
            say(f"using {odoo}")
        except odoo_mod.OdooNotFound as exc:
            odoo_reason = f"{exc}{odoo_mod.INSTALL_HINT}"
            print("\n" + "!" * 78)
            print(f"!! ODOO TIER SKIPPED: {odoo_reason}")
            print("!" * 78 + "\n", flush=True)

        installed_db = None
        template = None
        wanted = {"odoo", "browser", "ops", "asterisk"} & set(args.tiers)
        if odoo and wanted:
            cluster = Cluster(os.path.join(workdir, "pg"), free_port(), for_tests=True)
            cluster.start()
            addons = odoo_mod.our_addons()
            t0 = time.time()
            template = odoo_mod.ensure_template(odoo, cluster, LOG_DIR)
            say(f"template database {template} in {time.time() - t0:.0f} s")
            tier = Tier("odoo")
            t0 = time.time()
            tags = ",".join(f"/{a}" for a in addons) + f",-{TOUR_TAG}"
            logfile = os.path.join(LOG_DIR, "odoo-tests.log")
            rc = odoo_mod.run_on_copy(
                odoo,
                cluster,
                "ec_test_all",
                template,
                install_test_args(addons, tags),
                logfile,
            )
            odoo_tier_counts(tier, logfile, rc)
            tier.seconds = time.time() - t0
            if tier.failed:
                print_failures(logfile)
            installed_db = "ec_test_all" if rc == 0 or tier.passed else None
            if "odoo" in args.tiers:
                tiers.append(tier)

            if "browser" in args.tiers:
                tier = Tier("browser")
                chrome = shutil.which("chromium") or shutil.which("google-chrome")
                if not chrome:
                    tier.skip("chromium not installed (apt-get install chromium)")
                elif not installed_db:
                    tier.skip("the addons did not install; see the odoo tier")
                else:
                    t0 = time.time()
                    # no -i: Odoo runs the post-install tests of what is loaded
                    logfile = os.path.join(LOG_DIR, "browser-tests.log")
                    rc = odoo_mod.run_on_copy(
                        odoo,
                        cluster,
                        "ec_test_tours",
                        installed_db,
                        ["--test-enable", "--test-tags", TOUR_TAG, "--stop-after-init"],
                        logfile,
                    )
                    odoo_tier_counts(tier, logfile, rc)
                    if tier.failed:
                        print_failures(logfile)
                    # the same tours in the production shape: chromium against
                    # Odoo with workers + gevent behind nginx (HttpCase can
                    # only serve its single-process test server)
                    env_vars = dict(os.environ)
                    env_vars.update(
                        odoo_env_vars(odoo, cluster, installed_db, template)
                    )
                    env_vars["EC_TOURS_PROD"] = "1"
                    tier_pytest(
                        tier,
                        ["tests/tours_prod", "--timeout=900"],
                        workdir,
                        env_vars,
                        "browser-production",
                    )
                    tier.seconds = time.time() - t0
                tiers.append(tier)
            if "ops" in args.tiers:
                tier = Tier("ops")
                if not installed_db:
                    tier.skip("the addons did not install; see the odoo tier")
                else:
                    t0 = time.time()
                    env_vars = dict(os.environ)
                    env_vars.update(
                        odoo_env_vars(odoo, cluster, installed_db, template)
                    )
                    tier_pytest(tier, ["tests/ops"], workdir, env_vars, "ops")
                    tier.seconds = time.time() - t0
                tiers.append(tier)
        else:
            for name in ("odoo", "browser", "ops"):
                if name in args.tiers:
                    tiers.append(Tier(name).skip(odoo_reason or "not requested"))

        if "asterisk" in args.tiers:
            tier = Tier("asterisk")
            if not os.path.isdir(os.path.join(ROOT, "tests", "integration")):
                tier.skip("no tests/integration yet")
            else:
                env_vars = dict(os.environ)
                if odoo and installed_db:
                    env_vars.update(
                        odoo_env_vars(odoo, cluster, installed_db, template)
                    )
                t0 = time.time()
                tier_pytest(tier, ["tests/integration"], workdir, env_vars, "asterisk")
                tier.seconds = time.time() - t0
            tiers.append(tier)
    finally:
        if cluster:
            cluster.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    return summarize(tiers, time.time() - started)


def summarize(tiers, seconds):
    print("\n" + "=" * 78)
    print(f"eldercare test summary ({seconds:.0f} s)")
    for tier in tiers:
        print(tier.line())
    for tier in tiers:
        for note in tier.notes:
            if tier.failed:
                print(f"[{tier.name}] {note}")
    skipped = [t for t in tiers if t.skip_reason]
    if skipped:
        print("tiers SKIPPED (not counted as passed):")
        for tier in skipped:
            print(f"  - {tier.name}: {tier.skip_reason}")
    passed = sum(t.passed for t in tiers)
    failed = sum(t.failed for t in tiers)
    skipped_tests = sum(t.skipped for t in tiers)
    print("=" * 78)
    tail = f", {skipped_tests} skipped" if skipped_tests else ""
    print(f"{passed} passed, {failed} failed{tail}", flush=True)
    return 1 if failed or not passed else 0
