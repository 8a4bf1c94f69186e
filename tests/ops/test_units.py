"""The shipped production files: systemd units accepted by
`systemd-analyze verify` (no warning either), the nginx site accepted by
`nginx -t` and identical to what tools/ecctl/server.py generates.

Needs: systemd-analyze (Debian package `systemd`; no running systemd is
needed) and nginx. A unit's ExecStart must exist on the machine: the units
name Odoo's Debian package path /usr/bin/odoo; on a source install (no
/usr/bin/odoo) the check substitutes the `odoo` found on PATH, as the README
tells a source install to do in the unit."""

import glob
import os
import shutil
import subprocess

import pytest

from tools.ecctl import server
from tools.ecctl.paths import ROOT

UNITS_DIR = os.path.join(ROOT, "tools", "systemd")
UNITS = sorted(
    glob.glob(os.path.join(UNITS_DIR, "*.service"))
    + glob.glob(os.path.join(UNITS_DIR, "*.target"))
)
DEBIAN_ODOO = "/usr/bin/odoo"


def test_units_are_shipped():
    names = {os.path.basename(p) for p in UNITS}
    assert {
        "eldercare-odoo.service",
        "eldercare-bridge.service",
        "eldercare-kannel.service",
        "eldercare-kannel-smsbox.service",
        "eldercare.target",
    } <= names


def test_systemd_analyze_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.fail("systemd-analyze missing: apt-get install systemd")
    odoo = DEBIAN_ODOO if os.path.exists(DEBIAN_ODOO) else shutil.which("odoo")
    assert odoo, "no odoo executable to run the unit with"
    paths = []
    for unit in UNITS:
        with open(unit) as handle:
            text = handle.read()
        target = tmp_path / os.path.basename(unit)
        target.write_text(text.replace(DEBIAN_ODOO, odoo))
        paths.append(str(target))
    out = subprocess.run(
        [analyze, "verify", *paths],
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ, SYSTEMD_LOG_LEVEL="warning"),
    )
    # verify also complains about other units on the machine; ours must be
    # clean: no error, no ignored (unknown or misspelt) setting
    ours = [
        line
        for line in (out.stdout + out.stderr).splitlines()
        if any(os.path.basename(p) in line for p in paths)
    ]
    assert out.returncode == 0 and not ours, out.stdout + out.stderr


def test_nginx_site_is_generated_and_valid(tmp_path):
    with open(server.PRODUCTION_SITE) as handle:
        shipped = handle.read()
    assert shipped == server.production_site(), (
        "tools/nginx/eldercare.conf is stale: "
        "python3 -m tools.ecctl.server > tools/nginx/eldercare.conf"
    )
    nginx = server.Nginx.binary()
    assert nginx, "nginx missing: apt-get install nginx"
    # Debian's nginx.conf includes the site inside `http {}`; do the same
    # with a private prefix and cache folder
    site = shipped.replace("/var/cache/nginx/eldercare", str(tmp_path / "cache"))
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events {}\nhttp {\n" + site + "\n}\n"
    )
    out = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "e")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
