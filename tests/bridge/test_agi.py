import asyncio
import logging
import time

import pytest
from eldercare_bridge.agi import (
    AGIProtocolError,
    agi_args,
    parse_env_lines,
    parse_response,
    quote,
    script_name,
)
from fake_odoo import FakeOdoo
from helpers import agi_call, make_config, running_bridge


@pytest.fixture
def fake():
    odoo = FakeOdoo().start()
    yield odoo
    odoo.stop()


def test_parse_env_block():
    env, problems = parse_env_lines(
        [
            "agi_network: yes\n",
            "agi_network_script: route\n",
            "agi_callerid: 13800138000\n",
            "agi_arg_1: emergency\n",
            "agi_arg_2: 1700000000.12\n",
            "garbage line without colon\n",
            "Host: evil\n",
        ]
    )
    assert env["agi_callerid"] == "13800138000"
    assert agi_args(env) == ["emergency", "1700000000.12"]
    assert script_name(env) == "route"
    assert len(problems) == 2


def test_script_name_from_request_url():
    env = {"agi_request": "agi://127.0.0.1:4573/ivr?x=1"}
    assert script_name(env) == "ivr"


@pytest.mark.parametrize(
    "lines",
    [
        ["GET / HTTP/1.1\r\n", "Host: 127.0.0.1\r\n"],
        ["\x16\x03\x01\x02\x00garbage"],
        ["SSH-2.0-OpenSSH_9.6\r\n"],
    ],
)
def test_non_agi_headers_are_rejected(lines):
    with pytest.raises(AGIProtocolError):
        parse_env_lines(lines)


def test_parse_responses():
    assert parse_response("200 result=1\n") == (200, 1, "")
    assert parse_response("200 result=1 (1700000000.12)\n") == (200, 1, "1700000000.12")
    assert parse_response("200 result=-1\n") == (200, -1, "")
    assert parse_response("510 Invalid or unknown command\n")[0] == 510
    with pytest.raises(AGIProtocolError):
        parse_response("HTTP/1.1 200 OK")


def test_quote_escapes_quotes_and_newlines():
    assert quote('a"b\\c\nd') == '"a\\"b\\\\c d"'


def test_emergency_call_sets_route_variables(fake, tmp_path):
    async def scenario():
        async with running_bridge(make_config(fake, tmp_path)) as bridge:
            got = await agi_call(
                bridge.agi.port, "route", ["emergency", "1700.1", "8001"]
            )
            return got

    got = asyncio.run(scenario())
    alert = fake.alerts["1700.1"]
    assert got == {
        "ROUTE": "emergency",
        "ELDER_ID": "7",
        "ALERT_ID": str(alert["id"]),
        "CALL_ID": "1",
        "QUEUE": "eldercare-emergency",
    }


def test_bridge_warms_odoo_up_and_a_failed_warm_up_is_not_fatal(fake, tmp_path, caplog):
    def broken():
        raise RuntimeError("warm-up exploded")

    async def scenario():
        async with running_bridge(make_config(fake, tmp_path)) as bridge:
            for _ in range(100):
                if any(m == "warm_up" for m, _a in fake.calls):
                    break
                await asyncio.sleep(0.02)
            warmed = any(m == "warm_up" for m, _a in fake.calls)
            fake.warm_up = broken
            await bridge.warm_up()
            got = await agi_call(bridge.agi.port, "route", ["emergency", "w.1", "8001"])
            return warmed, got

    with caplog.at_level(logging.WARNING):
        warmed, got = asyncio.run(scenario())
    assert warmed
    assert got["ROUTE"] == "emergency" and got["ALERT_ID"] != "0"
    assert any("warm-up exploded" in r.getMessage() for r in caplog.records)


def test_refused_login_says_who_and_where(fake, tmp_path):
    from eldercare_bridge.odoo_rpc import OdooError, OdooRPC

    async def scenario():
        rpc = OdooRPC(fake.url, "prod", "eldercare_bridge", "")
        try:
            await rpc.authenticate(timeout=5)
        finally:
            await rpc.close()

    with pytest.raises(OdooError, match="login refused for 'eldercare_bridge'.*prod"):
        asyncio.run(scenario())


def test_service_line_goes_to_ivr_and_linkedid_is_asked_when_missing(fake, tmp_path):
    async def scenario():
        async with running_bridge(make_config(fake, tmp_path)) as bridge:
            return await agi_call(
                bridge.agi.port,
                "route",
                ["service"],
                uniqueid="42.7",
                extra_env={"agi_extension": "8000"},
            )

    got = asyncio.run(scenario())
    assert got["ROUTE"] == "ivr"
    assert got["QUEUE"] == "eldercare-service"
    sent = fake.routed()[-1]
    assert sent["linkedid"] == "42.7"  # from GET VARIABLE CHANNEL(linkedid)
    assert sent["did"] == "8000"


def test_ivr_statement_reads_back_amount(fake, tmp_path):
    async def scenario():
        async with running_bridge(make_config(fake, tmp_path)) as bridge:
            return await agi_call(bridge.agi.port, "ivr", ["8", "55.1"])

    got = asyncio.run(scenario())
    assert got["ROUTE"] == "statement"
    assert (got["SAY"], got["SAY_INT"], got["SAY_FRAC"]) == ("123.50", "123", "50")


def test_ivr_household_digit_creates_request(fake, tmp_path):
    async def scenario():
        async with running_bridge(make_config(fake, tmp_path)) as bridge:
            return await agi_call(bridge.agi.port, "ivr", ["3", "55.2"])

    got = asyncio.run(scenario())
    assert got["ROUTE"] == "request"
    assert fake.requests[0]["key"] == "3"
    assert got["REQUEST_ID"] == str(fake.requests[0]["id"])


def test_ivr_when_odoo_is_down_sends_caller_to_an_operator(fake, tmp_path, caplog):
    fake.down = True

    async def scenario():
        async with running_bridge(make_config(fake, tmp_path)) as bridge:
            return await agi_call(bridge.agi.port, "ivr", ["3", "55.3"])

    got = asyncio.run(scenario())
    assert got["ROUTE"] == "fallback"
    assert got["QUEUE"] == "eldercare-service"


def test_service_lookup_past_its_deadline_stops_waiting_for_odoo(fake, tmp_path):
    """A service call that took the fallback route frees its Odoo connection:
    a slow Odoo cannot pile up abandoned lookups ahead of emergency ones."""
    fake.delay = 1.0

    async def scenario():
        cfg = make_config(fake, tmp_path, route_timeout=0.3)
        async with running_bridge(cfg) as bridge:
            await asyncio.sleep(1.2)  # start-up calls (config, warm-up) done
            got = await agi_call(bridge.agi.port, "route", ["service", "s.1", "8000"])
            await asyncio.sleep(0.05)
            return got, dict(bridge.routes.stats), len(bridge.routes._tasks)

    got, stats, running = asyncio.run(scenario())
    assert got["ROUTE"] == "fallback" and got["QUEUE"] == "eldercare-service"
    assert stats["abandoned"] == 1
    assert running == 0


def test_slow_odoo_gives_fallback_within_the_deadline_then_alert_once(fake, tmp_path):
    fake.delay = 1.0  # Odoo answers, but far too late for a ringing phone

    async def scenario():
        cfg = make_config(fake, tmp_path, route_timeout=0.3)
        async with running_bridge(cfg) as bridge:
            t0 = time.monotonic()
            got = await agi_call(
                bridge.agi.port, "route", ["emergency", "99.1", "8001"]
            )
            elapsed = time.monotonic() - t0
            assert "99.1" in bridge.spool.pending
            fake.delay = 0.0
            for _ in range(100):
                if not len(bridge.spool):
                    break
                await asyncio.sleep(0.05)
            return got, elapsed, len(bridge.spool)

    got, elapsed, left = asyncio.run(scenario())
    assert got["ROUTE"] == "fallback"
    assert got["QUEUE"] == "eldercare-emergency"
    assert elapsed < 0.6
    assert left == 0
    # the late agi_route and the spool replay met on the same linkedid: one alert
    assert fake.alert_raises == 1


def test_burst_of_emergency_calls_is_raised_in_few_odoo_calls(fake, tmp_path):
    """40 elders press their button together while Odoo takes 50 ms a call:
    every call gets its own alert, once, and Odoo sees a few batches, not 40
    calls queued one behind the other."""
    fake.delay = 0.05
    numbers = [f"1390000{i:04d}" for i in range(40)]
    fake.elders.update({number: 100 + i for i, number in enumerate(numbers)})

    async def scenario():
        async with running_bridge(make_config(fake, tmp_path)) as bridge:
            return await asyncio.gather(
                *(
                    agi_call(
                        bridge.agi.port,
                        "route",
                        ["emergency", f"burst.{i}", "8001"],
                        callerid=number,
                    )
                    for i, number in enumerate(numbers)
                )
            )

    got = asyncio.run(scenario())
    assert [g["ROUTE"] for g in got] == ["emergency"] * 40
    assert [g["ELDER_ID"] for g in got] == [str(100 + i) for i in range(40)]
    assert len({g["ALERT_ID"] for g in got}) == 40
    assert fake.alert_raises == 40
    batches = [a[0] for m, a in fake.calls if m == "agi_route_batch"]
    assert sum(len(b) for b in batches) == 40
    assert len(batches) <= 6, [len(b) for b in batches]


def test_failed_batch_sends_each_of_its_calls_to_the_queue_and_spool(
    fake, tmp_path, caplog
):
    def broken(params_list):
        raise RuntimeError("psycopg2.errors.QueryCanceled")

    fake.agi_route_batch = broken

    async def scenario():
        async with running_bridge(make_config(fake, tmp_path)) as bridge:
            got = await asyncio.gather(
                *(
                    agi_call(bridge.agi.port, "route", ["emergency", f"f.{i}", "8001"])
                    for i in range(3)
                )
            )
            return got, set(bridge.spool.pending)

    with caplog.at_level(logging.WARNING):
        got, spooled = asyncio.run(scenario())
    assert [(g["ROUTE"], g["QUEUE"]) for g in got] == [
        ("fallback", "eldercare-emergency")
    ] * 3
    assert spooled >= {"f.0", "f.1", "f.2"} - set(fake.alerts)
    assert any("QueryCanceled" in r.getMessage() for r in caplog.records)


def test_odoo_down_spools_and_replays_when_back(fake, tmp_path, caplog):
    fake.down = True

    async def scenario():
        async with running_bridge(make_config(fake, tmp_path)) as bridge:
            got = await agi_call(
                bridge.agi.port, "route", ["emergency", "77.1", "8001"]
            )
            assert len(bridge.spool) == 1
            return got

    with caplog.at_level(logging.INFO):
        got = asyncio.run(scenario())
    assert got["ROUTE"] == "fallback" and got["QUEUE"] == "eldercare-emergency"
    assert fake.alert_raises == 0
    assert any("spooled" in r.getMessage() for r in caplog.records)
    # the bridge "restarts" with Odoo back: the spool is replayed on start
    fake.down = False

    async def restart():
        async with running_bridge(make_config(fake, tmp_path)) as bridge:
            for _ in range(100):
                if not len(bridge.spool):
                    break
                await asyncio.sleep(0.05)
            return len(bridge.spool)

    assert asyncio.run(restart()) == 0
    assert fake.alert_raises == 1
    assert fake.alerts["77.1"]["caller_number"] == "13800138000"
    assert fake.alerts["77.1"]["received_at"]  # when the elder called, not replay time

    # a third start replays nothing: no duplicate
    assert asyncio.run(restart()) == 0
    assert fake.alert_raises == 1


def test_emergency_line_known_from_odoo_config_even_without_dialplan_hint(
    fake, tmp_path
):
    async def scenario():
        async with running_bridge(make_config(fake, tmp_path)) as bridge:
            await bridge.refresh_config()
            fake.down = True
            return await agi_call(
                bridge.agi.port, "route", ["", "66.1", "8001"]
            ), bridge

    got, _bridge = asyncio.run(scenario())
    assert got["QUEUE"] == "eldercare-emergency"


@pytest.mark.parametrize(
    "callerid",
    ["", "anonymous", "unknown", "abcdef", "9" * 200, "1' OR '1'='1; DROP TABLE x;--"],
)
def test_hostile_caller_ids_are_routed_and_logged(fake, tmp_path, callerid, caplog):
    async def scenario():
        async with running_bridge(make_config(fake, tmp_path)) as bridge:
            return await agi_call(
                bridge.agi.port,
                "route",
                ["emergency", "5.5", "8001"],
                callerid=callerid,
            )

    with caplog.at_level(logging.WARNING, logger="eldercare_bridge.routing"):
        got = asyncio.run(scenario())
    assert got["ROUTE"] == "emergency"  # an unknown caller still gets help
    assert got["ELDER_ID"] == "0"
    sent = fake.routed()[-1]["caller_num"]
    assert len(sent) <= 64
    assert any("caller id" in r.getMessage() for r in caplog.records)


def test_fastagi_peer_not_allowed_is_refused(fake, tmp_path, caplog):
    async def scenario():
        cfg = make_config(fake, tmp_path, agi_allowed_clients=("10.9.9.9",))
        async with running_bridge(cfg) as bridge:
            got = await agi_call(bridge.agi.port, "route", ["emergency", "r.1", "8001"])
            return got, dict(bridge.agi.stats)

    with caplog.at_level(logging.WARNING, logger="eldercare_bridge.agi"):
        got, stats = asyncio.run(scenario())
    assert got == {}
    assert stats["refused"] == 1
    assert not fake.alerts
    assert any("refused" in r.getMessage() for r in caplog.records)


def test_allowed_clients_from_odoo_config(fake, tmp_path):
    async def scenario():
        async with running_bridge(make_config(fake, tmp_path)) as bridge:
            fake_conf = fake.bridge_config()
            fake_conf["agi_allowed_clients"] = ["127.0.0.1"]
            bridge._apply_config(fake_conf)
            ok = await agi_call(bridge.agi.port, "route", ["emergency", "r.2", "8001"])
            fake_conf["agi_allowed_clients"] = ["192.0.2.1"]
            bridge._apply_config(fake_conf)
            ko = await agi_call(bridge.agi.port, "route", ["emergency", "r.3", "8001"])
            return ok, ko

    ok, ko = asyncio.run(scenario())
    assert ok["ROUTE"] == "emergency"
    assert ko == {}
