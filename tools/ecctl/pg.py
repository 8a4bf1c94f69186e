"""A private PostgreSQL cluster: initdb in a folder, loopback port, no service."""

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import time

PG_USER = "odoo"


def pg_bindir():
    """Folder holding initdb/pg_ctl: PATH first, then Debian's versioned folders."""
    found = shutil.which("pg_ctl")
    if found:
        return os.path.dirname(os.path.realpath(found))
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0,
    )
    if candidates:
        return os.path.dirname(candidates[-1])
    return None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_as_user():
    """initdb refuses root: run the server as the 'postgres' system user then."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "postgres"], check=True
        )
    return "postgres"


class PgClient:
    """What the PostgreSQL client tools need: ``host``, ``port``, ``user`` and
    ``password``, set by the subclass."""

    def env(self):
        """The environment for psql, pg_dump & co. against this server."""
        env = dict(os.environ)
        env.update(
            PGHOST=self.host,
            PGPORT=str(self.port),
            PGUSER=self.user,
            PGPASSWORD=self.password,
            PGDATABASE="postgres",
        )
        return env


class Cluster(PgClient):
    def __init__(self, datadir, port, for_tests=False):
        self.datadir = os.path.abspath(datadir)
        self.port = int(port)
        self.for_tests = for_tests
        self.host = "127.0.0.1"
        self.user = PG_USER
        self.bindir = pg_bindir()
        self.os_user = _run_as_user()
        self.password_file = self.datadir + ".password"

    # -- helpers -------------------------------------------------------------
    def _cmd(self, name, *args):
        cmd = [os.path.join(self.bindir, name), *args]
        if self.os_user:
            cmd = ["runuser", "-u", self.os_user, "--", *cmd]
        return cmd

    @property
    def password(self):
        with open(self.password_file) as handle:
            return handle.read().strip()

    # -- lifecycle -----------------------------------------------------------
    def ensure(self):
        if not self.bindir:
            raise RuntimeError(
                "PostgreSQL server binaries not found: apt-get install postgresql"
            )
        if os.path.exists(os.path.join(self.datadir, "PG_VERSION")):
            return
        os.makedirs(self.datadir, exist_ok=True)
        if not os.path.exists(self.password_file):
            with open(self.password_file, "w") as handle:
                handle.write(secrets.token_urlsafe(24))
            os.chmod(self.password_file, 0o600)
        pwfile = os.path.join(self.datadir, "..", ".initdb-pw")
        pwfile = os.path.abspath(pwfile)
        with open(pwfile, "w") as handle:
            handle.write(self.password)
        if self.os_user:
            os.chmod(pwfile, 0o644)
            shutil.chown(self.datadir, self.os_user)
            os.chmod(self.datadir, 0o700)
        try:
            subprocess.run(
                self._cmd(
                    "initdb",
                    "-D",
                    self.datadir,
                    "-U",
                    self.user,
                    "--pwfile",
                    pwfile,
                    "--auth-host=scram-sha-256",
                    "--auth-local=peer",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ),
                check=True,
                stdout=subprocess.DEVNULL,
            )
        finally:
            os.unlink(pwfile)
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.datadir}'",
            "max_connections": "200",
        }
        if self.for_tests:
            settings.update(
                fsync="off", synchronous_commit="off", full_page_writes="off"
            )
        with open(os.path.join(self.datadir, "postgresql.auto.conf"), "a") as conf:
            for key, value in settings.items():
                conf.write(f"{key} = {value}\n")

    def is_running(self):
        result = subprocess.run(
            self._cmd("pg_ctl", "-D", self.datadir, "status"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return result.returncode == 0

    def start(self):
        self.ensure()
        if self.is_running():
            return
        log = os.path.join(self.datadir, "server.log")
        subprocess.run(
            self._cmd(
                "pg_ctl",
                "-D",
                self.datadir,
                "-l",
                log,
                "-o",
                f"-p {self.port}",
                "-w",
                "-t",
                "60",
                "start",
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.psql("SELECT 1", check=False).returncode == 0:
                return
            time.sleep(0.2)
        raise RuntimeError(f"PostgreSQL did not accept connections, see {log}")

    def stop(self):
        if os.path.exists(os.path.join(self.datadir, "PG_VERSION")) and (
            self.is_running()
        ):
            subprocess.run(
                self._cmd("pg_ctl", "-D", self.datadir, "-m", "fast", "-w", "stop"),
                stdout=subprocess.DEVNULL,
                check=False,
            )

    # -- databases -----------------------------------------------------------
    def psql(self, sql, db="postgres", check=True):
        return subprocess.run(
            ["psql", "-X", "-q", "-t", "-A", "-d", db, "-c", sql],
            env=self.env(),
            capture_output=True,
            text=True,
            check=check,
        )

    def db_exists(self, name):
        out = self.psql(
            f"SELECT 1 FROM pg_database WHERE datname = '{name}'", check=False
        )
        return out.stdout.strip() == "1"

    def createdb(self, name, template=None):
        args = ["createdb", "-E", "UTF8"]
        if template:
            args += ["-T", template]
        subprocess.run([*args, name], env=self.env(), check=True)

    def dropdb(self, name):
        subprocess.run(
            ["dropdb", "--if-exists", "--force", name],
            env=self.env(),
            check=True,
            stderr=subprocess.DEVNULL,
        )
