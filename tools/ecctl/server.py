"""Odoo as production runs it: prefork HTTP workers, a cron worker, the
websocket (bus) on the gevent port, and nginx in front as the one entry.

Used by `./bin/eldercare start` and by the integration tier
(tests/integration/stack.py), so the telephony tests run against the same
shape as the product. Everything binds 127.0.0.1.

    server = OdooBehindNginx(odoo_cmd, ["-d", db, ...], workdir, logfile).start()
    server.url          # http://127.0.0.1:<nginx port>, what browsers and the
                        # bridge use
    server.odoo_proc    # Odoo's master process (own process group)
    server.stop()
"""

import configparser
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

from .paths import ROOT
from .procs import start_detached, stop_group

# The production options (workers, cron worker, memory and time limits,
# proxy_mode) come from the repository's odoo.conf: one source for the demo,
# the tests and the systemd units.
PRODUCTION_KEYS = (
    "workers",
    "max_cron_threads",
    "limit_memory_soft",
    "limit_memory_hard",
    "limit_time_cpu",
    "limit_time_real",
    "limit_time_real_cron",
    "limit_request",
    "db_maxconn",
    "proxy_mode",
)


def production_options():
    parser = configparser.ConfigParser()
    parser.read(os.path.join(ROOT, "odoo.conf"))
    opts = parser["options"]
    return {key: opts[key] for key in PRODUCTION_KEYS if key in opts}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def say(msg):
    print(f"[eldercare] {msg}", flush=True)


def odoo_args(http_port, gevent_port, **overrides):
    """Command-line options of a production-shaped Odoo on loopback."""
    options = dict(production_options(), **{k: str(v) for k, v in overrides.items()})
    args = [
        "--http-interface",
        "127.0.0.1",
        "--http-port",
        str(http_port),
        "--gevent-port",
        str(gevent_port),
    ]
    for key, value in options.items():
        if key == "proxy_mode":
            if value.lower() in ("1", "true", "yes", "on"):
                args.append("--proxy-mode")
            continue
        flag = "--db_maxconn" if key == "db_maxconn" else "--" + key.replace("_", "-")
        args += [flag, value]
    return args


NGINX_TEMPLATE = """\
# written by tools/ecctl/server.py: Odoo behind nginx (loopback)
{user_line}
daemon off;
worker_processes 2;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    types {{
        text/html html; text/css css; application/javascript js;
        image/png png; image/svg+xml svg; font/woff2 woff2;
    }}
{site}
}}
"""

SITE_TEMPLATE = """\
# Odoo 18 behind nginx: one entry for browsers, the portal and the bridge.
# Odoo runs with proxy_mode = True (it trusts X-Forwarded-*), workers >= 2,
# the HTTP workers on {http_upstream}, the websocket (bus) on {ws_upstream}.
upstream eldercare_odoo {{
{http_servers}
}}
upstream eldercare_odoo_ws {{
{ws_servers}
}}
map $http_upgrade $connection_upgrade {{
    default upgrade;
    ''      close;
}}
proxy_cache_path {cache_dir} levels=1:2 keys_zone=eldercare_static:10m
                 max_size=256m inactive=7d use_temp_path=off;

server {{
    listen {listen};
    server_name _;
    client_max_body_size 64m;
    # long requests (month end, reports) and the bus websocket stay open
    proxy_read_timeout 720s;
    proxy_connect_timeout 5s;
    proxy_send_timeout 720s;
    # a dead upstream (one of two servers) is skipped, the request retried
    proxy_next_upstream error timeout http_502 http_503;
    proxy_set_header Host $http_host;
    proxy_set_header X-Forwarded-Host $http_host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_set_header X-Real-IP $remote_addr;
    proxy_redirect off;

    gzip on;
    gzip_types text/css text/plain application/json application/javascript
               text/xml image/svg+xml;

    # the bus: Odoo 18 has no long-polling route any more, /websocket is it
    location /websocket {{
        proxy_pass http://eldercare_odoo_ws;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_read_timeout 3600s;
    }}

    # static files and compiled assets: cached by nginx (their URLs carry a
    # version hash, a changed asset has a new URL)
    location ~ ^/(web/assets/|[^/]+/static/) {{
        proxy_pass http://eldercare_odoo;
        proxy_cache eldercare_static;
        proxy_cache_valid 200 301 302 60m;
        proxy_ignore_headers Set-Cookie;
        proxy_hide_header Set-Cookie;
        add_header X-Cache-Status $upstream_cache_status;
        expires 7d;
    }}

    location / {{
        proxy_pass http://eldercare_odoo;
    }}
}}
"""


def nginx_site(listen, backends, cache_dir):
    """The `server` block (and upstreams) for Odoo backends [(host, http, ws)]."""
    return SITE_TEMPLATE.format(
        listen=listen,
        http_upstream=", ".join(f"{h}:{p}" for h, p, _w in backends),
        ws_upstream=", ".join(f"{h}:{w}" for h, _p, w in backends),
        http_servers="\n".join(
            f"    server {h}:{p} max_fails=1 fail_timeout=10s;" for h, p, _w in backends
        ),
        ws_servers="\n".join(
            f"    server {h}:{w} max_fails=1 fail_timeout=10s;" for h, _p, w in backends
        ),
        cache_dir=cache_dir,
    )


def indent(text, prefix="    "):
    return "\n".join(prefix + line if line else line for line in text.split("\n"))


def wait_until(predicate, timeout, message, interval=0.2, error=RuntimeError):
    """The first true result of ``predicate``, polled every ``interval`` s;
    ``error`` when ``timeout`` s pass without one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise error(f"timed out after {timeout:.0f} s waiting for {message}")


def port_open(port, host="127.0.0.1"):
    with contextlib.suppress(OSError), socket.create_connection((host, port), 1):
        return True
    return False


def http_ok(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


class Nginx:
    """A private nginx (Debian's binary) with its own prefix folder."""

    def __init__(self, prefix, listen_port, backends):
        self.prefix = os.path.abspath(prefix)
        self.port = listen_port
        self.backends = list(backends)
        self.conf = os.path.join(self.prefix, "nginx.conf")
        self.proc = None

    @staticmethod
    def binary():
        return shutil.which("nginx") or (
            "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None
        )

    def write_config(self):
        for sub in ("tmp", "cache"):
            os.makedirs(os.path.join(self.prefix, sub), exist_ok=True)
        # as root nginx would drop its workers to `nobody`, who cannot enter a
        # private temp folder; the loopback demo keeps them as the caller
        user_line = "user root root;" if os.geteuid() == 0 else ""
        site = nginx_site(
            f"127.0.0.1:{self.port}", self.backends, os.path.join(self.prefix, "cache")
        )
        with open(self.conf, "w") as handle:
            handle.write(
                NGINX_TEMPLATE.format(
                    user_line=user_line,
                    prefix=self.prefix,
                    site=indent(site),
                )
            )

    def _cmd(self, *extra):
        exe = self.binary()
        if not exe:
            raise RuntimeError("nginx is not installed (apt-get install nginx)")
        return [exe, "-p", self.prefix, "-c", self.conf, "-e", self.error_log, *extra]

    @property
    def error_log(self):
        return os.path.join(self.prefix, "error.log")

    def check(self):
        out = subprocess.run(
            self._cmd("-t"), capture_output=True, text=True, check=False
        )
        if out.returncode:
            raise RuntimeError(f"nginx config invalid: {out.stderr[-2000:]}")

    def start(self):
        self.write_config()
        self.check()
        self.proc = start_detached(self._cmd(), os.path.join(self.prefix, "nginx.out"))

        def up():
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited; see {self.error_log}")
            return port_open(self.port)

        wait_until(up, 15, f"nginx on 127.0.0.1:{self.port}")
        return self

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful: finish requests
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)


class OdooBehindNginx:
    """One production-shaped Odoo (workers, gevent port) behind its nginx.

    `odoo_cmd` is the Odoo command (e.g. ["odoo"] or ["odoo", "-c", conf]),
    `odoo_extra` the rest of its options (database, addons path, db_* ...);
    the ports, workers and limits are added here.
    """

    def __init__(
        self,
        odoo_cmd,
        odoo_extra,
        workdir,
        logfile,
        listen_port=None,
        http_port=None,
        gevent_port=None,
        **options,
    ):
        self.odoo_cmd = list(odoo_cmd)
        self.odoo_extra = list(odoo_extra)
        self.workdir = workdir
        self.logfile = logfile
        self.http_port = http_port or free_port()
        self.gevent_port = gevent_port or free_port()
        self.listen_port = listen_port or free_port()
        # EC_ODOO_WORKERS=0: Odoo's single-process (threaded) server behind the
        # same nginx, for benchmark baselines; it serves /websocket itself
        if "workers" not in options and os.environ.get("EC_ODOO_WORKERS"):
            options["workers"] = os.environ["EC_ODOO_WORKERS"]
        self.options = options
        self.single_process = str(options.get("workers", "")) == "0"
        ws_port = self.http_port if self.single_process else self.gevent_port
        self.odoo_proc = None
        self.nginx = Nginx(
            os.path.join(workdir, "nginx"),
            self.listen_port,
            [("127.0.0.1", self.http_port, ws_port)],
        )

    @property
    def url(self):
        return f"http://127.0.0.1:{self.listen_port}"

    def command(self):
        return [
            *self.odoo_cmd,
            *self.odoo_extra,
            *odoo_args(self.http_port, self.gevent_port, **self.options),
            "--logfile",
            self.logfile,
        ]

    def start_odoo(self, stdout=subprocess.DEVNULL):
        self.odoo_proc = subprocess.Popen(
            self.command(),
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self.odoo_proc

    def start(self, timeout=180):
        self.start_odoo()
        self.nginx.start()
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=180):
        """Odoo answers through nginx and its websocket port is listening."""

        def ready():
            if self.odoo_proc.poll() is not None:
                raise RuntimeError(f"Odoo exited; see {self.logfile}")
            if not http_ok(self.url + "/web/health"):
                return False
            return self.single_process or port_open(self.gevent_port)

        wait_until(ready, timeout, f"Odoo behind nginx at {self.url}", 0.5)

    def stop_odoo(self, sig=signal.SIGTERM, timeout=30):
        proc = self.odoo_proc
        if proc and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGCONT)  # a paused server gets ``sig``
            stop_group(proc, sig, timeout, kill_wait=10)

    def stop(self):
        self.stop_odoo()
        self.nginx.stop()


PRODUCTION_SITE_HEADER = """\
# /etc/nginx/sites-available/eldercare (symlinked into sites-enabled):
# the one public entry of an eldercare server. Generated from
# tools/ecctl/server.py (production_site); tests/ops checks it is current and
# that nginx accepts it. Put TLS in front for anything beyond the center's
# LAN: `listen 443 ssl;` with the center's certificate, and redirect 80.
# Odoo runs with /etc/eldercare/odoo.conf (http_port 8070, gevent_port 8072,
# proxy_mode = True); a second Odoo server is one more `server` line in
# each upstream.
"""
PRODUCTION_SITE = os.path.join(ROOT, "tools", "nginx", "eldercare.conf")


def production_site():
    return PRODUCTION_SITE_HEADER + nginx_site(
        "80", [("127.0.0.1", 8070, 8072)], "/var/cache/nginx/eldercare"
    )


if __name__ == "__main__":  # python3 -m tools.ecctl.server > tools/nginx/...
    print(production_site(), end="")
