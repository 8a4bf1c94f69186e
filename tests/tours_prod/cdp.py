"""A small Chrome DevTools Protocol client: headless chromium driven over its
debugging websocket, to run Odoo tours against a real, production-shaped
Odoo (workers + gevent behind nginx) instead of HttpCase's test server.

Everything waits on a condition with a deadline (page loaded, tour ready,
"tour succeeded" on the console); a console error or an uncaught exception
fails the run, as in Odoo's own ChromeBrowser."""

import contextlib
import itertools
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import websocket


def _free_port():
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TourFailed(AssertionError):
    pass


class Chromium:
    def __init__(self, binary=None, log_path=None):
        self.binary = (
            binary or shutil.which("chromium") or shutil.which("google-chrome")
        )
        if not self.binary:
            raise FileNotFoundError("chromium is not installed")
        self.port = _free_port()
        self.profile = tempfile.mkdtemp(prefix="ec-chromium-")
        self.log_path = log_path or os.path.join(self.profile, "chromium.log")
        self.proc = None
        self.ws = None
        self._ids = itertools.count(1)
        self.console = []  # (type, text)
        self.errors = []

    def start(self, timeout=30):
        log = open(self.log_path, "ab")  # noqa: SIM115 - owned by the process
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--window-size=1366,768",
                f"--remote-debugging-port={self.port}",
                "--remote-debugging-address=127.0.0.1",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        deadline = time.monotonic() + timeout
        page = None
        while time.monotonic() < deadline and page is None:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chromium exited; see {self.log_path}")
            try:
                pages = self.targets("page")
                page = pages[0] if pages else None
            except OSError:
                time.sleep(0.1)
        if page is None:
            raise RuntimeError(f"chromium's debugging port silent for {timeout} s")
        self.ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=5, suppress_origin=True
        )
        for domain in ("Page", "Runtime", "Network"):
            self.send(f"{domain}.enable")
        return self

    def targets(self, kind):
        """The browser's debugging targets of a type (page, shared_worker...)."""
        with urllib.request.urlopen(
            f"http://127.0.0.1:{self.port}/json/list", timeout=2
        ) as resp:
            return [t for t in json.load(resp) if t.get("type") == kind]

    # -- protocol ------------------------------------------------------------
    def _handle(self, msg):
        method = msg.get("method")
        params = msg.get("params") or {}
        if method == "Runtime.consoleAPICalled":
            text = " ".join(
                str(a.get("value", a.get("description", "")))
                for a in params.get("args", [])
            )
            self.console.append((params.get("type"), text))
            if params.get("type") == "error":
                self.errors.append(text)
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails") or {}
            exc = details.get("exception") or {}
            self.errors.append(exc.get("description") or details.get("text", "?"))

    def _read(self, timeout):
        self.ws.settimeout(max(timeout, 0.01))
        try:
            msg = json.loads(self.ws.recv())
        except websocket.WebSocketTimeoutException:
            return None
        self._handle(msg)
        return msg

    def send(self, method, timeout=30, **params):
        msg_id = next(self._ids)
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = self._read(deadline - time.monotonic())
            if msg and msg.get("id") == msg_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result") or {}
        raise TimeoutError(f"{method} not answered in {timeout} s")

    def evaluate(self, expression, timeout=30):
        result = self.send(
            "Runtime.evaluate",
            timeout=timeout,
            expression=expression,
            awaitPromise=True,
            returnByValue=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:80]}: {result['exceptionDetails']}")
        return (result.get("result") or {}).get("value")

    def pump(self, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._read(deadline - time.monotonic())

    # -- what a tour needs -----------------------------------------------------
    def set_cookie(self, url, name, value):
        self.send("Network.setCookie", url=url, name=name, value=value, path="/")

    def open(self, url, timeout=120):
        # the previous document is marked: only the new one counts as loaded
        self.evaluate("window.__ecPreviousPage = true")
        self.send("Page.navigate", url=url)
        loaded = "!window.__ecPreviousPage && document.readyState === 'complete'"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.evaluate(loaded):
                return
            self.pump(0.1)
        raise TimeoutError(f"{url} did not load in {timeout} s")

    def wait_for(self, expression, timeout=120):
        """Until the page's ``expression`` is true (bounded)."""
        deadline = time.monotonic() + timeout
        while not self.evaluate(expression):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{expression} still false after {timeout} s")
            self.pump(0.2)

    def run_tour(self, name, timeout=120):
        """odoo.startTour(name) once the tour is ready; returns the console
        lines; raises TourFailed on a failure, an error or the deadline."""
        deadline = time.monotonic() + timeout
        ready = f"!!(window.odoo && odoo.isTourReady && odoo.isTourReady({name!r}))"
        while not self.evaluate(ready):
            if time.monotonic() > deadline:
                raise TourFailed(f"tour {name} never became ready ({self.errors})")
            self.pump(0.2)
        self.console.clear()
        self.errors.clear()
        options = json.dumps({"stepDelay": 0, "keepWatchBrowser": False})
        self.send(
            "Runtime.evaluate",
            expression=f"odoo.startTour({name!r}, {options})",
            returnByValue=True,
        )
        while time.monotonic() < deadline:
            self.pump(0.2)
            if self.errors:
                dialog = self.evaluate(
                    "[...document.querySelectorAll('.modal')]"
                    ".map((m) => m.innerText).join(' | ')"
                )
                raise TourFailed(
                    f"tour {name} failed: {self.errors[0][:2000]}\n"
                    f"dialog on screen: {str(dialog)[:1500]!r}\n"
                    + "\n".join(t for _k, t in self.console[-20:])
                )
            if any("tour succeeded" in text for _k, text in self.console):
                return [t for _k, t in self.console]
        raise TourFailed(
            f"tour {name} did not finish in {timeout} s; last console lines:\n"
            + "\n".join(t for _k, t in self.console[-20:])
        )

    def close(self):
        with contextlib.suppress(Exception):
            self.ws.close()
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)
