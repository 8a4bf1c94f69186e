"""A fake Odoo speaking the ``eldercare.pbx.bridge`` JSON-RPC contract.

Used by the fast bridge tests, by the Asterisk-only integration tier and as
the baseline of the benchmarks. It models what the bridge relies on: login,
agi_route (emergency DID -> alert idempotent on linkedid), ivr_choice,
ami_events, spooled_alerts, bridge_config; plus knobs to be slow or down.
"""

import contextlib
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeOdoo:
    def __init__(self, emergency_dids=("8001",), service_dids=("8000",), elders=None):
        self.emergency_dids = list(emergency_dids)
        self.service_dids = list(service_dids)
        self.elders = dict(elders or {"13800138000": 7})  # number -> elder id
        self.delay = 0.0  # seconds added to every object call
        self.down = False  # refuse with HTTP 503 (database unreachable)
        self.lock = threading.Lock()
        self.alerts = {}  # linkedid -> alert dict
        self.alert_raises = 0  # how many times an alert was created
        self.requests = []
        self.events = []
        self.calls = []  # (method, args)
        self.heartbeats = []  # bridge_heartbeat reports, in order
        self.refuse = set()  # linkedids spooled_alerts answers without an alert
        self.ivr_emergency_digits = ["9"]
        self.route_as = {}  # did -> route answered whatever the line table says
        self.broken = set()  # methods answering with an Odoo server error
        self.chain = []  # escalation chain of emergency routing answers
        self.outbound_patterns = [r"1[3-9]\d{9}", r"1(10|19|20|22)"]
        self.recordings = {}  # filename -> item handed over by the bridge
        self._ids = itertools.count(100)
        self.server = None

    # -- the contract ---------------------------------------------------------
    def _raise_alert(self, params, channel):
        linkedid = params.get("linkedid")
        if params.get("channel_kind") == "ivr":
            channel = "ivr"
        with self.lock:
            if linkedid in self.alerts:
                return self.alerts[linkedid]
            self.alert_raises += 1
            alert = {
                "id": next(self._ids),
                "linkedid": linkedid,
                "caller_number": params.get("caller_num"),
                "elder_id": self.elders.get(params.get("caller_num") or "", 0),
                "did": params.get("did"),
                "channel": channel,
                "received_at": params.get("received_at"),
                "created": time.time(),
            }
            self.alerts[linkedid] = alert
            return alert

    def agi_route(self, params):
        elder_id = self.elders.get(params.get("caller_num") or "", 0)
        did = params.get("did")
        if did in self.route_as:
            return {
                "route": self.route_as[did],
                "elder_id": elder_id,
                "alert_id": 0,
                "call_id": 1,
                "queue": "eldercare-service",
            }
        if did in self.emergency_dids:
            alert = self._raise_alert(params, "emergency_line")
            return {
                "route": "emergency",
                "elder_id": elder_id,
                "alert_id": alert["id"],
                "call_id": 1,
                "queue": "eldercare-emergency",
                "chain": self.chain,
            }
        return {
            "route": "ivr",
            "elder_id": elder_id,
            "alert_id": 0,
            "call_id": 1,
            "queue": "eldercare-service",
        }

    def warm_up(self):
        return True

    def agi_route_batch(self, params_list):
        return [self.agi_route(params) for params in params_list]

    def routed(self):
        """The params of every routing lookup sent, batches flattened."""
        with self.lock:
            return [p for m, a in self.calls if m == "agi_route_batch" for p in a[0]]

    def ivr_choice(self, params):
        digits = params.get("digits") or ""
        if digits in ("1", "2", "3", "4", "5", "6"):
            req = {"id": next(self._ids), "key": digits, **params}
            self.requests.append(req)
            return {
                "route": "request",
                "say": "",
                "request_id": req["id"],
                "alert_id": 0,
                "queue": "eldercare-service",
            }
        if digits == "8":
            return {
                "route": "statement",
                "say": "123.50",
                "request_id": 0,
                "alert_id": 0,
                "queue": "eldercare-service",
            }
        if digits == "9":
            alert = self._raise_alert(dict(params, did="ivr"), "ivr")
            return {
                "route": "emergency",
                "say": "",
                "request_id": 0,
                "alert_id": alert["id"],
                "queue": "eldercare-emergency",
            }
        if digits == "0":
            return {
                "route": "operator",
                "say": "",
                "request_id": 0,
                "alert_id": 0,
                "queue": "eldercare-service",
            }
        return {
            "route": "invalid",
            "say": "",
            "request_id": 0,
            "alert_id": 0,
            "queue": "eldercare-service",
        }

    def ami_events(self, events):
        with self.lock:
            self.events.extend(events)
        return {"processed": len(events)}

    def spooled_alerts(self, items):
        out = []
        for item in items:
            if item.get("linkedid") in self.refuse:
                continue  # Odoo could not record this one (logged there)
            alert = self._raise_alert(item, "emergency_line")
            out.append({"linkedid": item.get("linkedid"), "alert_id": alert["id"]})
        return out

    def dial_sync(self, reports, active_ids, accept=True):
        return {"dial": [], "hangup": [], "max_channels": 10}

    def bridge_config(self):
        return {
            "emergency_dids": self.emergency_dids,
            "service_dids": self.service_dids,
            "operator_endpoints": {"1001": 2, "1002": 6},
            "ivr_emergency_digits": self.ivr_emergency_digits,
            "escalation_chain": self.chain,
            "outbound_patterns": self.outbound_patterns,
        }

    def recordings_done(self, items):
        with self.lock:
            for item in items:
                self.recordings[item["filename"]] = item
        return [item["filename"] for item in items]

    def bridge_heartbeat(self, report):
        with self.lock:
            self.heartbeats.append(report)
        return {"status_id": 1}

    # -- HTTP -------------------------------------------------------------------
    def dispatch(self, body):
        params = body.get("params") or {}
        service, method, args = (
            params.get("service"),
            params.get("method"),
            params.get("args"),
        )
        if service == "common" and method == "login":
            return 2 if args[2] else False
        if service == "object" and method == "execute_kw":
            _db, _uid, _pw, model, meth, margs, _kw = args
            assert model == "eldercare.pbx.bridge", model
            if self.delay:
                time.sleep(self.delay)
            with self.lock:
                self.calls.append((meth, margs))
            if meth in self.broken:
                raise RuntimeError(f"{meth} is broken in this Odoo")
            return getattr(self, meth)(*margs)
        raise ValueError(f"unsupported {service}.{method}")

    def start(self, port=0):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if fake.down:
                    data = b"database unavailable"
                    self.send_response(503)
                else:
                    try:
                        reply = {
                            "jsonrpc": "2.0",
                            "id": body.get("id"),
                            "result": fake.dispatch(body),
                        }
                    except Exception as exc:
                        reply = {
                            "jsonrpc": "2.0",
                            "id": body.get("id"),
                            "error": {
                                "code": 200,
                                "message": "Odoo Server Error",
                                "data": {
                                    "name": type(exc).__name__,
                                    "message": str(exc),
                                },
                            },
                        }
                    data = json.dumps(reply).encode()
                    self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                # OSError: the bridge gave up waiting (timeout test)
                with contextlib.suppress(OSError):
                    self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()


def main():
    import argparse

    parser = argparse.ArgumentParser(
        description="run a fake Odoo for bridge development"
    )
    parser.add_argument("--port", type=int, default=8069)
    args = parser.parse_args()
    fake = FakeOdoo().start(args.port)
    print(f"fake Odoo on {fake.url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
