"""Find an installed Odoo 18.0 and drive it: configs, template databases, test runs."""

import ast
import fcntl
import glob
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys

from .paths import ADDONS_DIR, ROOT
from .pg import free_port

ELDERCARE_PREFIX = "eldercare_"
# one Odoo process, no HTTP server, no cron thread: the runs that end
ONE_PROCESS = ("--no-http", "--workers", "0", "--max-cron-threads", "0")
INSTALL_HINT = (
    "Install Odoo 18.0 Community first: Odoo's official packages "
    "(nightly.odoo.com, 18.0) or its source (git clone -b 18.0 "
    "https://github.com/odoo/odoo; pip install -r requirements.txt) so that "
    "`odoo` is on PATH or `import odoo` works."
)


class OdooNotFound(Exception):
    pass


class OdooInstall:
    def __init__(self, cmd, version, addons_dirs):
        self.cmd = cmd
        self.version = version
        self.addons_dirs = addons_dirs

    @property
    def addons_path(self):
        return ",".join([*self.addons_dirs, ADDONS_DIR])

    def __str__(self):
        return f"Odoo {self.version} ({shlex.join(self.cmd)})"


def _python_locate():
    """Ask Python where the `odoo` package is (importable Odoo)."""
    code = (
        "import os, odoo, odoo.release as r;"
        "print(r.version);print(os.path.dirname(odoo.__file__))"
    )
    try:
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout.split("\n")
    except (subprocess.SubprocessError, OSError):
        return None, None
    return out[0].strip(), out[1].strip()


def find_odoo():
    """`odoo` (or odoo-bin) on PATH, else an importable odoo package."""
    version, package_dir = _python_locate()
    exe = shutil.which("odoo") or shutil.which("odoo-bin")
    if exe:
        cmd = [exe]
    elif package_dir:
        cmd = [sys.executable, "-c", "import odoo.cli; odoo.cli.main()"]
    else:
        raise OdooNotFound("No Odoo found (no `odoo` on PATH, `import odoo` fails). ")
    if not package_dir:
        # the executable's own tree: odoo-bin lives beside the odoo package
        root = os.path.dirname(os.path.realpath(exe))
        package_dir = os.path.join(root, "odoo")
        out = subprocess.run(
            [exe, "--version"], capture_output=True, text=True, check=False
        ).stdout  # "Odoo Server 18.0"
        version = out.split()[-1] if out.split() else "unknown"
    if version and not version.startswith("18.0"):
        raise OdooNotFound(f"Odoo {version} found, but this project needs 18.0. ")
    dirs = [os.path.join(package_dir, "addons")]
    source_addons = os.path.join(os.path.dirname(package_dir), "addons")
    if os.path.isdir(os.path.join(source_addons, "web")):
        dirs.append(source_addons)
    return OdooInstall(cmd, version, dirs)


def our_addons():
    return sorted(
        os.path.basename(os.path.dirname(path))
        for path in glob.glob(os.path.join(ADDONS_DIR, "*", "__manifest__.py"))
        if os.path.basename(os.path.dirname(path)).startswith(ELDERCARE_PREFIX)
    )


def manifest(addon):
    with open(os.path.join(ADDONS_DIR, addon, "__manifest__.py")) as handle:
        return ast.literal_eval(handle.read())


def external_dependencies(addons):
    """The Odoo modules our addons stand on (what a template database holds)."""
    deps = set()
    for addon in addons:
        for dep in manifest(addon).get("depends", []):
            if not dep.startswith(ELDERCARE_PREFIX):
                deps.add(dep)
    return sorted(deps)


TEMPLATE_RECIPE = 2  # bump when ensure_template builds differently


def template_name(deps, odoo):
    key = f"{TEMPLATE_RECIPE}|{odoo.version}|{','.join(deps)}"
    digest = hashlib.sha1(key.encode()).hexdigest()
    return f"ec_tmpl_{digest[:10]}"


def db_args(cluster):
    return [
        "--db_host",
        cluster.host,
        "--db_port",
        str(cluster.port),
        "--db_user",
        cluster.user,
        "--db_password",
        cluster.password,
    ]


ATTACHMENTS_TO_DB = """
env["ir.config_parameter"].set_param("ir_attachment.location", "db")
env["ir.attachment"].force_storage()
env.cr.commit()
"""


def run_odoo(odoo, cluster, args, logfile, timeout=3600, stdin=None, subcommand=()):
    """Run Odoo to completion, log into logfile; returns the exit code."""
    if os.path.exists(logfile):
        os.remove(logfile)  # Odoo appends; a stale log would be counted again
    cmd = [
        *odoo.cmd,
        *subcommand,
        "--addons-path",
        odoo.addons_path,
        *db_args(cluster),
        "--http-interface",
        "127.0.0.1",
        # each run gets its own ports: runs (and HttpCase tests) go on side by side
        "--http-port",
        str(free_port()),
        "--gevent-port",
        str(free_port()),
        "--no-database-list",
        "--data-dir",
        cluster.datadir + "-odoo",
        "--logfile",
        logfile,
        "--log-level",
        "info",
        *args,
    ]
    try:
        return subprocess.run(
            cmd,
            cwd=ROOT,
            timeout=timeout,
            check=False,
            input=stdin,
            text=True,
            stdout=subprocess.DEVNULL if stdin else None,
        ).returncode
    except subprocess.TimeoutExpired:
        with open(logfile, "a") as handle:
            handle.write(f"\nCRITICAL harness: Odoo killed after {timeout} s\n")
        return 124


STATS_RE = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests")
LOG_RE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) (?P<db>\S+) "
    r"(?P<logger>[\w.]+): (?P<msg>.*)$"
)
TEST_LOGGERS = re.compile(r"(^odoo\.tests)|(\.tests(\.|$))")


def parse_test_log(logfile):
    """Counts from Odoo's own report + every ERROR/CRITICAL outside test reports."""
    tests = failed = 0
    stats_found = False
    problems = []
    with open(logfile, errors="replace") as handle:
        for line in handle:
            match = LOG_RE.match(line.rstrip("\n"))
            if not match:
                continue
            msg = match["msg"]
            if match["logger"] == "odoo.tests.result":
                stats = STATS_RE.search(msg)
                if stats and "when loading database" in msg:
                    stats_found = True
                    failed = int(stats[1]) + int(stats[2])
                    tests = int(stats[3])
                    continue
            if match["level"] in ("ERROR", "CRITICAL"):
                if TEST_LOGGERS.search(match["logger"]):
                    continue  # a failing test: already in Odoo's counts
                problems.append(f"{match['logger']}: {msg[:300]}")
    return {
        "tests": tests,
        "failed": failed,
        "stats_found": stats_found,
        "problems": problems,
    }


def ensure_template(odoo, cluster, logdir):
    """A database with our addons' Odoo dependencies installed, built once."""
    deps = external_dependencies(our_addons())
    name = template_name(deps, odoo)
    lock_path = os.path.join(cluster.datadir, "..", f"{name}.lock")
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel runs build it once
        if cluster.db_exists(name):
            return name
        building = name + "_building"
        cluster.dropdb(building)
        logfile = os.path.join(logdir, f"{name}.log")
        rc = run_odoo(
            odoo,
            cluster,
            ["-d", building, "-i", ",".join(deps), "--stop-after-init"],
            logfile,
        )
        parsed = parse_test_log(logfile)
        if rc != 0 or parsed["problems"]:
            raise RuntimeError(
                f"building template {name} failed (rc={rc}), see {logfile}: "
                + "; ".join(parsed["problems"][:3])
            )
        # attachments (web assets included) live in the database itself, so a
        # `createdb -T` copy is complete without copying a filestore along
        rc = run_odoo(
            odoo,
            cluster,
            ["-d", building, "--no-http"],
            logfile + ".shell",
            stdin=ATTACHMENTS_TO_DB,
            subcommand=["shell"],
        )
        if rc != 0:
            raise RuntimeError(f"moving attachments into {building} failed (rc={rc})")
        cluster.psql(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
        return name


SHELL_PRELUDE = """
import json as _json, os as _os
values = _json.loads(_os.environ.pop("EC_SHELL_VALUES"))
def result(value):
    print("EC_SHELL_RESULT " + _json.dumps(value), flush=True)
"""


class ShellError(RuntimeError):
    pass


def odoo_shell(odoo, config_args, db, code, values=None, timeout=900):
    """Run `code` inside `odoo shell` on database `db` and commit.

    `config_args` say where the database is (["-c", conf] or db_args(...)).
    `values` reach the code as the dict `values` (JSON in the environment,
    never pasted into the code); the code may call `result(x)` once: its
    JSON-able `x` is returned. Settings and passwords are written through the
    ORM (ir.config_parameter.set_param, res.users.write), never as SQL.
    """
    env = dict(os.environ, EC_SHELL_VALUES=json.dumps(values or {}))
    # commit, then tell the running Odoo processes their caches (settings
    # included) are stale, as a request of theirs would
    script = SHELL_PRELUDE + code + "\nenv.cr.commit()\nenv.registry.signal_changes()\n"
    cmd = [
        *odoo.cmd,
        "shell",
        *config_args,
        "-d",
        db,
        *ONE_PROCESS,
        "--log-level",
        "warn",
    ]
    proc = subprocess.run(
        cmd,
        input=script,
        text=True,
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )
    if proc.returncode:
        raise ShellError(
            f"odoo shell on {db} failed (rc={proc.returncode}):\n"
            + (proc.stderr or proc.stdout)[-3000:]
        )
    for line in proc.stdout.splitlines():
        if line.startswith("EC_SHELL_RESULT "):
            return json.loads(line[len("EC_SHELL_RESULT ") :])
    return None


def run_on_copy(odoo, cluster, db, source, args, logfile):
    """A fresh copy `db` of database `source`, then Odoo with `args` on it."""
    cluster.dropdb(db)
    cluster.createdb(db, template=source)
    return run_odoo(odoo, cluster, ["-d", db, *args], logfile)
