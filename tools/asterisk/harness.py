"""Real-Asterisk harness: a Debian sid chroot with Asterisk 22, the project's
shipped configuration (addons/eldercare_asterisk/asterisk/) rendered with only
host/port/secret placeholders substituted, started on loopback ports.

Used by tests/integration/conftest.py and the benchmarks; also a CLI::

    python3 tools/asterisk/harness.py start [--dir D] [--agi-port N] [--systemname S]
    python3 tools/asterisk/harness.py stop --dir D
"""

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CONFIG_SRC = os.path.join(REPO, "addons", "eldercare_asterisk", "asterisk")
BUILD = os.path.join(HERE, "build_chroot.sh")
PROMPTS = os.path.join(HERE, "make_prompts.sh")
PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")


class HarnessUnavailable(RuntimeError):
    """Asterisk cannot run here (no root, no debootstrap, build failed)."""


def cache_tarball():
    cache = os.environ.get("EC_CACHE_DIR") or os.path.expanduser("~/.cache/eldercare")
    return os.path.join(cache, "asterisk-chroot.tar.gz")


def free_port(kind=socket.SOCK_STREAM):
    with contextlib.closing(socket.socket(socket.AF_INET, kind)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_udp_port():
    return free_port(socket.SOCK_DGRAM)


def ensure_tarball(log=sys.stderr):
    tarball = cache_tarball()
    if os.path.exists(tarball) and os.path.getsize(tarball) > 0:
        return tarball
    if os.geteuid() != 0:
        raise HarnessUnavailable("building the Asterisk chroot needs root")
    if not shutil.which("debootstrap"):
        raise HarnessUnavailable("debootstrap is not installed")
    proc = subprocess.run(["bash", BUILD], stdout=log, stderr=log, check=False)
    if proc.returncode != 0 or not os.path.exists(tarball):
        raise HarnessUnavailable(f"{BUILD} failed (exit {proc.returncode})")
    return tarball


def extracted_tree():
    """The cached tarball unpacked once next to it (re-done when it changes)."""
    tarball = ensure_tarball()
    tree = tarball[: -len(".tar.gz")]
    stamp = os.path.join(tree + ".stamp")
    want = f"{os.path.getmtime(tarball)}:{os.path.getsize(tarball)}"
    with contextlib.suppress(OSError), open(stamp) as fh:
        if fh.read() == want and os.path.isdir(tree):
            return tree
    tmp = tree + f".tmp{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    subprocess.run(["tar", "-C", tmp, "-xzf", tarball], check=True)
    shutil.rmtree(tree, ignore_errors=True)
    os.rename(tmp, tree)
    with open(stamp, "w") as fh:
        fh.write(want)
    return tree


def render_config(dest_etc, values, src=CONFIG_SRC):
    """Copy every *.conf from the shipped config into dest_etc substituting
    {{PLACEHOLDERS}}; a placeholder without a value is an error."""
    os.makedirs(dest_etc, exist_ok=True)
    for name in sorted(os.listdir(src)):
        if not name.endswith(".conf"):
            continue
        with open(os.path.join(src, name), encoding="utf-8") as fh:
            text = fh.read()
        missing = sorted(set(PLACEHOLDER.findall(text)) - set(values))
        if missing:
            raise ValueError(f"{name}: no value for placeholder(s) {missing}")
        text = PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), text)
        dest = os.path.join(dest_etc, name)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(dest)  # never write through a hard link into the cache
        with open(dest, "w", encoding="utf-8") as fh:
            fh.write(text)


def _inside(root, sub):
    """root/sub, refusing any symlink on the way: a chroot's absolute links
    (var/run -> /run) would otherwise point into the host."""
    path = root
    for part in sub.split("/"):
        path = os.path.join(path, part)
        if os.path.islink(path):
            raise RuntimeError(f"{path} is a symlink; refusing to follow it")
    return path


def _mknod(root):
    devs = {"null": (1, 3), "zero": (1, 5), "random": (1, 8), "urandom": (1, 9)}
    os.makedirs(os.path.join(root, "dev"), exist_ok=True)
    for name, (major, minor) in devs.items():
        path = os.path.join(root, "dev", name)
        if os.path.exists(path) and stat.S_ISCHR(os.stat(path).st_mode):
            continue
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(major, minor))
        os.chmod(path, 0o666)


SYSTEMNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")


def set_systemname(asterisk_conf, systemname):
    """Write ``systemname`` into the [options] of a rendered asterisk.conf.

    Asterisk prefixes every uniqueid and linkedid with it
    (``<systemname>-<epoch>.<n>``): two servers started in the same second
    would otherwise number their calls alike, and Odoo raises one alert per
    linkedid. Only letters, digits, ``_`` and ``-`` (it ends up in AstDB keys
    and channel variables)."""
    if not SYSTEMNAME_RE.match(systemname or ""):
        raise ValueError(f"systemname {systemname!r}: 1-32 letters, digits, '_' or '-'")
    with open(asterisk_conf, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    out, in_options, written = [], False, False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("["):
            if in_options and not written:
                out.append(f"systemname = {systemname}")
                written = True
            in_options = stripped.startswith("[options]")
        elif in_options and re.match(r"systemname\s*=", stripped):
            continue  # replaced below
        out.append(line)
        if in_options and stripped.startswith("[options]") and not written:
            out.append(f"systemname = {systemname}")
            written = True
    if not written:
        out += ["[options]", f"systemname = {systemname}"]
    with contextlib.suppress(FileNotFoundError):
        os.unlink(asterisk_conf)  # never write through a hard link
    with open(asterisk_conf, "w", encoding="utf-8") as fh:
        fh.write("\n".join(out) + "\n")


class Asterisk:
    """One Asterisk instance in a private chroot copy.

    ``systemname`` (asterisk.conf [options]) is this server's name in every
    uniqueid/linkedid it makes; each server of a site needs its own."""

    _instances = 0

    def __init__(
        self,
        workdir=None,
        agi_host="127.0.0.1",
        agi_port=4573,
        systemname="",
        **ports,
    ):
        if os.geteuid() != 0:
            raise HarnessUnavailable("chroot needs root")
        self.workdir = workdir or tempfile.mkdtemp(prefix="ec-asterisk-")
        self.root = os.path.join(self.workdir, "root")
        self.ami_port = ports.get("ami_port") or free_port()
        self.sip_port = ports.get("sip_port") or free_udp_port()
        self.trunk_port = ports.get("trunk_port") or free_udp_port()
        # a range of its own per instance: two servers of one process (the
        # two-Asterisk test) must not share RTP ports
        Asterisk._instances += 1
        slot = (os.getpid() + 7 * Asterisk._instances) % 200
        self.rtp_start = ports.get("rtp_start") or 20000 + slot * 100
        self.ami_user = "eldercare"
        self.ami_secret = "ec-ami-" + os.urandom(6).hex()
        self.operator_secret = "op-" + os.urandom(6).hex()
        self.agi_host = agi_host
        self.agi_port = agi_port
        self.systemname = systemname
        self.proc = None
        self.log_path = os.path.join(self.workdir, "asterisk.log")

    def values(self):
        return {
            "AGI_HOST": self.agi_host,
            "AGI_PORT": self.agi_port,
            "AMI_BIND": "127.0.0.1",
            "AMI_PORT": self.ami_port,
            "AMI_USER": self.ami_user,
            "AMI_SECRET": self.ami_secret,
            "AMI_PERMIT": "127.0.0.1/255.255.255.255",
            "SIP_BIND": "127.0.0.1",
            "SIP_PORT": self.sip_port,
            "OPERATOR_SECRET": self.operator_secret,
            # the center's network operator phones may use (acl.conf)
            "OPERATOR_NETWORK": "127.0.0.1/255.255.255.255",
            "TRUNK_MATCH": "127.0.0.1",
            "TRUNK_HOST": "127.0.0.1",
            "TRUNK_PORT": self.trunk_port,
            "TRUNK_ENDPOINT": "eldercare-test-trunk",
            "RTP_START": self.rtp_start,
            "RTP_END": self.rtp_start + 98,
        }

    def env(self):
        return {
            "EC_AMI_HOST": "127.0.0.1",
            "EC_AMI_PORT": str(self.ami_port),
            "EC_AMI_USER": self.ami_user,
            "EC_AMI_SECRET": self.ami_secret,
            "EC_AGI_BIND": self.agi_host,
            "EC_AGI_PORT": str(self.agi_port),
            "EC_SIP_PORT": str(self.sip_port),
            "EC_OPERATOR_SECRET": self.operator_secret,
            "EC_ASTERISK_DIR": self.workdir,
            # MixMonitor's directory (EC_REC_DIR) as seen from the host
            "EC_RECORDING_DIR": os.path.join(
                self.root, "var/spool/asterisk/monitor/eldercare"
            ),
            "EC_ASTERISK_SYSTEMNAME": self.systemname,
        }

    def prepare(self):
        tree = extracted_tree()
        os.makedirs(self.workdir, exist_ok=True)
        if os.path.lexists(self.root):
            # a previous copy: start clean (rmtree never follows the chroot's
            # symlinks; the cache keeps its own links to shared files)
            shutil.rmtree(self.root)
        # hard-link copy of the cached tree (fast); the directories Asterisk
        # writes in are real copies, and the config writer unlinks before
        # writing, so the cache is never changed through a link
        subprocess.run(["cp", "-al", tree, self.root], check=True)
        for sub in (
            "etc/asterisk",
            "var/lib/asterisk",
            "var/spool/asterisk",
            "var/log/asterisk",
            "run/asterisk",
        ):
            path = _inside(self.root, sub)
            shutil.rmtree(path, ignore_errors=True)
            if os.path.isdir(os.path.join(tree, sub)):
                subprocess.run(["cp", "-a", os.path.join(tree, sub), path], check=True)
            else:
                os.makedirs(path)
        _mknod(self.root)
        self.write_config()
        sounds = _inside(self.root, "usr/share/asterisk/sounds")
        subprocess.run(
            ["bash", PROMPTS, sounds],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return self

    def write_config(self):
        etc = _inside(self.root, "etc/asterisk")
        render_config(etc, self.values())
        if self.systemname:
            set_systemname(os.path.join(etc, "asterisk.conf"), self.systemname)

    def start(self, timeout=30):
        logf = open(self.log_path, "ab")  # noqa: SIM115 - lives with the process
        self.proc = subprocess.Popen(
            [
                "chroot",
                self.root,
                "asterisk",
                "-f",
                "-C",
                "/etc/asterisk/asterisk.conf",
            ],
            stdout=logf,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        logf.close()
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"asterisk exited ({self.proc.returncode}); see {self.log_path}"
                )
            try:
                out = self.cli(
                    "core waitfullybooted", timeout=max(1, deadline - time.time())
                )
                if "fully booted" in out.lower():
                    break
            except subprocess.SubprocessError:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError(
                f"asterisk did not boot in {timeout} s; see {self.log_path}"
            )
        self._write_state()
        return self

    def cli(self, command, timeout=10):
        out = subprocess.run(
            [
                "chroot",
                self.root,
                "asterisk",
                "-C",
                "/etc/asterisk/asterisk.conf",
                "-rx",
                command,
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if out.returncode != 0 and "Unable to connect" in (out.stdout + out.stderr):
            raise subprocess.SubprocessError(out.stdout + out.stderr)
        return out.stdout

    def _write_state(self):
        with open(os.path.join(self.workdir, "state.json"), "w") as fh:
            json.dump({"pid": self.proc.pid, "env": self.env()}, fh)

    def stop(self, cleanup=True):
        pid = self.proc.pid if self.proc else None
        if pid is None:
            state = os.path.join(self.workdir, "state.json")
            with contextlib.suppress(OSError, ValueError), open(state) as fh:
                pid = json.load(fh)["pid"]
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            for _ in range(50):
                try:
                    os.kill(pid, 0)
                    if self.proc and self.proc.poll() is not None:
                        break
                except ProcessLookupError:
                    break
                time.sleep(0.1)
            else:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            if self.proc:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(5)
        if cleanup:
            shutil.rmtree(self.workdir, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_start = sub.add_parser("start", help="start Asterisk, print shell exports")
    p_start.add_argument("--dir", default=None)
    p_start.add_argument("--agi-host", default="127.0.0.1")
    p_start.add_argument("--agi-port", type=int, default=4573)
    p_start.add_argument("--ami-port", type=int, default=0)
    p_start.add_argument(
        "--systemname",
        default=os.environ.get("EC_ASTERISK_SYSTEMNAME", ""),
        help="asterisk.conf systemname: prefixes uniqueid/linkedid (one per server)",
    )
    p_stop = sub.add_parser("stop", help="stop the Asterisk started with --dir")
    p_stop.add_argument("--dir", required=True)
    p_stop.add_argument("--keep", action="store_true", help="keep the chroot copy")
    sub.add_parser("build", help="build the cached chroot tarball if missing")
    args = parser.parse_args(argv)
    if args.cmd == "build":
        print(ensure_tarball())
        return 0
    if args.cmd == "start":
        if args.dir:
            os.makedirs(args.dir, exist_ok=True)
        ast = Asterisk(
            args.dir,
            agi_host=args.agi_host,
            agi_port=args.agi_port,
            ami_port=args.ami_port or None,
            systemname=args.systemname,
        )
        ast.prepare().start()
        for key, value in ast.env().items():
            print(f"export {key}={value}")
        print(
            f"# asterisk pid {ast.proc.pid}; stop: "
            f"{sys.argv[0]} stop --dir {ast.workdir}"
        )
        return 0
    ast = Asterisk.__new__(Asterisk)
    ast.workdir, ast.proc = args.dir, None
    ast.stop(cleanup=not args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
