"""Processes of the running product: pid files in var/run, generated secrets
in var/secrets, detached spawning and stopping by process group."""

import contextlib
import os
import secrets
import signal
import subprocess
import time

from .paths import LOG_DIR, ROOT, VAR

RUN_DIR = os.path.join(VAR, "run")
SECRETS = os.path.join(VAR, "secrets")


def say(msg):
    print(f"[eldercare] {msg}", flush=True)


def secret(name):
    """A generated secret kept in var/secrets (never in git)."""
    os.makedirs(SECRETS, mode=0o700, exist_ok=True)
    path = os.path.join(SECRETS, name)
    if not os.path.exists(path):
        with open(path, "w") as handle:
            handle.write(secrets.token_urlsafe(18))
        os.chmod(path, 0o600)
    with open(path) as handle:
        return handle.read().strip()


def pid_alive(name):
    path = os.path.join(RUN_DIR, f"{name}.pid")
    try:
        with open(path) as handle:
            pid = int(handle.read().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def record_pid(name, pid):
    os.makedirs(RUN_DIR, exist_ok=True)
    with open(os.path.join(RUN_DIR, f"{name}.pid"), "w") as handle:
        handle.write(str(pid))


def start_detached(cmd, log_path, **popen):
    """Start ``cmd`` in its own session (one process group for
    :func:`stop_group`), stdin closed, stdout and stderr appended to
    ``log_path``; ``popen``: more arguments of Popen (cwd, env)."""
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **popen,
        )


def spawn(name, cmd, env=None):
    """Start `cmd` detached in its own session, output in var/log/<name>.out."""
    os.makedirs(LOG_DIR, exist_ok=True)
    proc = start_detached(cmd, os.path.join(LOG_DIR, f"{name}.out"), cwd=ROOT, env=env)
    record_pid(name, proc.pid)
    return proc


def stop_group(proc, sig=signal.SIGTERM, timeout=10, kill_wait=5):
    """Signal the process group of ``proc`` (a Popen started in its own
    session), wait up to ``timeout`` s, then SIGKILL it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(kill_wait)


def stop_process(name, sig=signal.SIGTERM, seconds=30):
    """Signal the process group started as `name`, wait for it, forget its pid."""
    pid = pid_alive(name)
    if pid:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, sig)
        deadline = time.monotonic() + seconds
        while pid_alive(name) and time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            time.sleep(0.2)
        if pid_alive(name):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        say(f"stopped {name}")
    pidfile = os.path.join(RUN_DIR, f"{name}.pid")
    if os.path.exists(pidfile):
        os.unlink(pidfile)
