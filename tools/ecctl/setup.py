"""Install what the project needs: Debian packages and the Python requirements."""

import hashlib
import os
import shutil
import subprocess
import sys

from .paths import CACHE_DIR, ROOT

DEBIAN_PACKAGES = [
    "postgresql",  # the local cluster (initdb/pg_ctl), no system service used
    "postgresql-client",
    "chromium",  # Odoo tours (HttpCase)
    "debootstrap",  # the Asterisk 22 chroot for the telephony tier
    "sip-tester",  # SIPp: real SIP calls in the telephony tier
    "espeak-ng",  # Mandarin IVR prompts
    "sox",
    "fonts-noto-cjk",  # Chinese text in the browser and printed statements
    "nginx",  # the one HTTP entry in front of Odoo's workers (start, ops tier)
    "systemd",  # systemd-analyze verify of the shipped unit files (ops tests)
    "kannel",  # SMS gateway (bearerbox + smsbox): start and the SMS tests
    "kannel-extras",  # its SMSC simulator (fakesmsc) plays the carrier
    "wkhtmltopdf",  # printed statements and settlements as PDF
]
# the prettier hook of .pre-commit-config.yaml, from the npm registry (the
# hook's GitHub mirror is not needed)
PRETTIER_PACKAGES = ["prettier@2.7.1", "@prettier/plugin-xml@2.2.0"]
PRETTIER_DIR = os.path.join(CACHE_DIR, "prettier")


def say(msg):
    print(f"[setup] {msg}", flush=True)


def missing_debian_packages():
    missing = []
    for pkg in DEBIAN_PACKAGES:
        out = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", pkg],
            capture_output=True,
            text=True,
            check=False,
        )
        if "install ok installed" not in out.stdout:
            missing.append(pkg)
    return missing


def install_debian():
    try:
        missing = missing_debian_packages()
    except FileNotFoundError:
        say("not a Debian system (no dpkg-query): install the packages by hand")
        return
    if not missing:
        return
    if os.geteuid() != 0:
        say(f"missing Debian packages (run as root to install): {' '.join(missing)}")
        return
    say(f"apt-get install {' '.join(missing)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
        env=env,
        check=True,
    )


def install_python():
    req = os.path.join(ROOT, "requirements.txt")
    with open(req, "rb") as handle:
        digest = hashlib.sha1(handle.read() + sys.executable.encode()).hexdigest()
    stamp = os.path.join(CACHE_DIR, f"pip-{digest}.stamp")
    if os.path.exists(stamp):
        return
    say("pip install -r requirements.txt")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "-r", req],
        check=True,
    )
    os.makedirs(CACHE_DIR, exist_ok=True)
    with open(stamp, "w") as handle:
        handle.write("ok\n")


def prettier_command():
    """The pinned prettier + plugin-xml, or None when not installed."""
    modules = os.path.join(PRETTIER_DIR, "node_modules")
    exe = os.path.join(modules, ".bin", "prettier")
    plugin = os.path.join(modules, "@prettier", "plugin-xml")
    if not (os.path.exists(exe) and os.path.isdir(plugin)):
        return None
    # NODE_PATH: .prettierrc.yml names the plugin by package name
    return ["env", f"NODE_PATH={modules}", exe, f"--plugin={plugin}"]


def install_prettier():
    if prettier_command():
        return
    npm = shutil.which("npm")
    if not npm:
        say("npm not found: prettier is not checked (apt-get install npm)")
        return
    say(f"npm install {' '.join(PRETTIER_PACKAGES)}")
    os.makedirs(PRETTIER_DIR, exist_ok=True)
    out = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--silent", *PRETTIER_PACKAGES],
        cwd=PRETTIER_DIR,
        check=False,
    )
    if out.returncode:
        say("npm install of prettier failed: prettier is not checked")


def install_all():
    install_debian()
    install_python()
    install_prettier()
