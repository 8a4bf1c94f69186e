"""Benchmark: call arrival -> operator popup notification, through real Asterisk.

An elder calls the emergency line (AMI ``Originate`` of
``Local/8001@eldercare-inbound`` with the demo elder's caller id 13800138000,
one call at a time, ``--calls`` times). The shipped dialplan asks the bridge
(FastAGI), the call enters the queue ``eldercare-emergency`` and the SIPp
operator phones 1001/1002 start ringing (AMI DialBegin, forwarded at once by
the bridge). Measured per call:

* ``arrival``: the first AMI event of the call (Newchannel) seen by the
  benchmark's own AMI connection;
* ``notified``: the moment the popup reaches the bus -- real Odoo: the
  PostgreSQL ``NOTIFY imbus`` Odoo sends when the transaction holding the
  ``eldercare_alert_popup``/``eldercare_call_popup`` bus.bus row commits
  (``LISTEN imbus`` on the ``postgres`` database, like Odoo's own bus
  dispatcher, then the row is matched to the call's alert);
  baseline (fake Odoo): the moment the fake receives the DialBegin of an
  operator phone.

Reported: p50/p99 of the first popup (any operator) and of the popup that
follows the operator's phone ringing (DialBegin), the ratio real/baseline
(same run). Goal: first popup p99 <= 300 ms (issue 12). The emergency
line is answered from the bridge's routing replica; the popup follows Odoo's
routing answer (the alert) as before. The real Odoo runs in the production
shape (workers + gevent behind nginx); ``EC_ODOO_WORKERS=0`` for the
single-process server behind the same nginx.

Run (root, SIPp, and the EC_* variables of ``./bin/eldercare dev-env``)::

    eval "$(./bin/eldercare dev-env | grep ^export)"
    python3 benchmarks/bench_popup_latency.py [--calls 30] [--fake-only]
"""

import json
import os
import re
import select
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "integration"))

from stack import (  # noqa: E402
    FakeBackend,
    OdooBackend,
    Stack,
    bench_arguments,
    new_workdir,
    odoo_workers_label,
    percentile,
    real_odoo_skipped,
    wait_until,
)

ALERT_RE = re.compile(r'"alert":\s*\{"id":\s*(\d+)')


class BusListener:
    """LISTEN imbus on the test database; records (time, bus rows) per NOTIFY."""

    def __init__(self, backend):
        import psycopg2

        e = os.environ
        pg = {
            "host": e["EC_PG_HOST"],
            "port": e["EC_PG_PORT"],
            "user": e["EC_PG_USER"],
            "password": e["EC_PG_PASSWORD"],
        }
        # Odoo's bus sends "NOTIFY imbus" on the *postgres* database (where its
        # own dispatcher listens), after the transaction with the rows commits
        self.conn = psycopg2.connect(dbname="postgres", **pg)
        self.conn.autocommit = True
        self.conn.cursor().execute("LISTEN imbus")
        self.db = psycopg2.connect(dbname=backend.db, **pg)
        self.db.autocommit = True
        self.cur = self.db.cursor()
        self.cur.execute("SELECT coalesce(max(id), 0) FROM bus_bus")
        self.last_id = self.cur.fetchone()[0]
        self.popups = []  # (monotonic time, alert id, type)
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop:
            if select.select([self.conn], [], [], 0.2) == ([], [], []):
                continue
            self.conn.poll()
            if not self.conn.notifies:
                continue
            now = time.monotonic()
            self.conn.notifies.clear()
            self.cur.execute(
                "SELECT id, message FROM bus_bus WHERE id > %s ORDER BY id",
                (self.last_id,),
            )
            for row_id, message in self.cur.fetchall():
                self.last_id = max(self.last_id, row_id)
                try:
                    data = json.loads(message)
                except ValueError:
                    continue
                kind = data.get("type") if isinstance(data, dict) else None
                if kind in ("eldercare_alert_popup", "eldercare_call_popup"):
                    payload = data.get("payload") or {}
                    alert = payload.get("alert") if isinstance(payload, dict) else None
                    alert_id = alert.get("id") if isinstance(alert, dict) else None
                    if alert_id is None:
                        m = ALERT_RE.search(message)
                        alert_id = int(m.group(1)) if m else None
                    self.popups.append((now, alert_id, kind))

    def close(self):
        self.stop = True
        self.thread.join(2)
        self.conn.close()
        self.db.close()


def measure(stack, calls, listener=None, warmup=2):
    first, ringing = [], []
    for n in range(calls + warmup):
        mark = len(stack.ami.events)
        fake_mark = len(stack.backend.fake.events) if listener is None else 0
        stack.ami.originate("8001", "13800138000", wait=10)

        def joined(mark=mark):
            for e in stack.ami.events[mark:]:
                if e.get("Event") == "DialBegin" and str(
                    e.get("DestChannel", "")
                ).startswith("PJSIP/100"):
                    return e["Linkedid"]
            return None

        linkedid = wait_until(joined, 10, message="operator ringing")
        arrival = min(
            e["_t"] for e in stack.ami.events[mark:] if e.get("Linkedid") == linkedid
        )
        if listener is None:
            fake = stack.backend.fake

            def got(fake_mark=fake_mark, linkedid=linkedid, fake=fake):
                for ev in fake.events[fake_mark:]:
                    if (
                        ev.get("Event") == "DialBegin"
                        and ev.get("Linkedid") == linkedid
                        and str(ev.get("DestChannel", "")).startswith("PJSIP/100")
                    ):
                        return ev
                return None

            wait_until(got, 10, 0.001, "DialBegin at the fake Odoo")
            t = time.monotonic()
            first.append(t - arrival)
            ringing.append(t - arrival)
        else:
            alert_id = int(
                wait_until(
                    lambda linkedid=linkedid: stack.backend.alerts(linkedid),
                    10,
                    message="alert",
                )[0][0]
            )
            times = wait_until(
                lambda alert_id=alert_id, arrival=arrival: [
                    t for t, a, _k in listener.popups if a == alert_id and t >= arrival
                ],
                10,
                message="popup on the bus",
            )
            time.sleep(1.0)  # the DialBegin popup, if any, follows the alert one
            if not listener.popups:
                print("no popup seen on the bus at all", flush=True)
            times = sorted(t for t, a, _k in listener.popups if a == alert_id)
            first.append(times[0] - arrival)
            ringing.append(times[-1] - arrival)
        stack.ami.hangup_all()
        time.sleep(0.3)
        if n < warmup:  # the first calls warm Odoo's caches: not measured
            first.pop()
            ringing.pop()
    return first, ringing


def show(name, values):
    print(
        f"{name:<44} n={len(values):<4} p50={percentile(values, 50) * 1000:7.1f} ms  "
        f"p99={percentile(values, 99) * 1000:7.1f} ms  max={max(values) * 1000:7.1f} ms"
    )


def main():
    args = bench_arguments(__doc__, calls=30)

    backend = FakeBackend()
    stack = Stack(backend, new_workdir())
    try:
        base_first, _ = measure(stack, args.calls)
    finally:
        stack.close()
        backend.stop()
    show("baseline: arrival -> DialBegin at fake Odoo", base_first)
    if real_odoo_skipped(args):
        return
    backend = OdooBackend(new_workdir())
    stack = Stack(backend, new_workdir())
    listener = BusListener(backend)
    try:
        first, ringing = measure(stack, args.calls, listener)
    finally:
        listener.close()
        stack.close()
        backend.stop()
    show("real: arrival -> first operator popup (bus)", first)
    show("real: arrival -> popup after DialBegin (bus)", ringing)
    p99 = percentile(first, 99)
    print(f"ratio real/baseline p99: x{p99 / percentile(base_first, 99):.1f}")
    print(f"Odoo workers: {odoo_workers_label()}")
    print(
        f"goal arrival -> popup p99 <= 300 ms: {'MET' if p99 <= 0.3 else 'NOT MET'} "
        f"({p99 * 1000:.0f} ms; after DialBegin "
        f"{percentile(ringing, 99) * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    main()
