import asyncio
import random
import time

import pytest
from eldercare_bridge.ami import AMIClient, build_action, parse_frames
from fake_ami import FakeAMI
from fake_odoo import FakeOdoo
from helpers import make_config, running_bridge


def test_frames_parse_with_repeated_keys_and_chanvariables():
    text = (
        "Event: Newchannel\r\nChannel: PJSIP/1001-00000001\r\nLinkedid: 1.1\r\n"
        "ChanVariable: ELDER_ID=7\r\nChanVariable: ROUTE=emergency\r\n\r\n"
        "Response: Success\r\nActionID: ec-1\r\nOutput: "
        "line one\r\nOutput: line two\r\n\r\n"
    )
    frames, malformed = parse_frames(text)
    assert malformed == []
    assert frames[0]["ChanVariable(ELDER_ID)"] == "7"
    assert frames[0]["ChanVariable(ROUTE)"] == "emergency"
    assert frames[1]["Output"] == ["line one", "line two"]


def test_malformed_lines_are_reported_not_fatal():
    text = (
        "Event: Hangup\r\nthis line has no colon\r\n: "
        "empty key\r\nLinkedid: 2.2\r\n\r\n"
        "\x00\x01\x02\r\n\r\nEvent: DialBegin\r\nLinkedid: 3.3\r\n\r\n"
    )
    frames, malformed = parse_frames(text)
    assert [f.get("Event") for f in frames] == ["Hangup", "DialBegin"]
    assert frames[0]["Linkedid"] == "2.2"
    assert len(malformed) == 3


def test_build_action_strips_line_breaks():
    data = build_action(
        "Originate", {"CallerID": "x\r\nAction: Logoff", "Variable": ["A=1", "B=2"]}
    )
    assert data.count(b"\r\n\r\n") == 1
    assert b"\r\nAction: Logoff" not in data  # no injected header line
    assert data.count(b"Variable: ") == 2


def test_reconnects_after_kick_and_resyncs():
    async def scenario():
        ami = await FakeAMI().start()
        logins = []
        events = []

        async def on_login():
            logins.append(await client.action_list("CoreShowChannels"))

        client = AMIClient(
            "127.0.0.1",
            ami.port,
            "eldercare",
            "s3cret",
            on_event=events.append,
            on_login=on_login,
        )
        client.start()
        await asyncio.wait_for(client.connected.wait(), 5)
        ami.send_event(Event="Newchannel", Linkedid="1.1", Uniqueid="1.1")
        await asyncio.sleep(0.1)
        ami.kick()  # like "manager kick session"
        await asyncio.sleep(0.05)
        ami.channels = [{"Channel": "PJSIP/x-1", "Uniqueid": "1.1", "Linkedid": "1.1"}]
        for _ in range(100):
            if ami.logins >= 2 and len(logins) >= 2:
                break
            await asyncio.sleep(0.05)
        await client.stop()
        await ami.stop()
        return ami.logins, logins, events, client.last_delays

    n_logins, resyncs, events, delays = asyncio.run(scenario())
    assert n_logins == 2
    assert resyncs[1][0]["Uniqueid"] == "1.1"
    assert events[0]["Event"] == "Newchannel"
    assert delays and delays[0] <= 0.5


def test_refused_login_is_retried_with_backoff():
    async def scenario():
        ami = await FakeAMI(secret="other").start()
        client = AMIClient("127.0.0.1", ami.port, "eldercare", "wrong")
        client.start()
        await asyncio.sleep(1.8)
        await client.stop()
        await ami.stop()
        return client.last_delays

    delays = asyncio.run(scenario())
    assert len(delays) >= 2
    assert delays[1] > delays[0] * 1.1  # growing, not a fixed retry rate


def test_garbage_on_the_ami_stream_does_not_stop_events():
    async def scenario():
        ami = await FakeAMI().start()
        events = []
        client = AMIClient(
            "127.0.0.1", ami.port, "eldercare", "s3cret", on_event=events.append
        )
        client.start()
        await asyncio.wait_for(client.connected.wait(), 5)
        rng = random.Random(7)
        for _ in range(50):
            junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
            ami.send_raw(junk.replace(b"\n", b" ") + b"\r\n\r\n")
        ami.send_raw(b"X" * 200000 + b"\r\n\r\n")  # oversize line
        ami.send_raw(b"Foo: bar\r\n\r\n")  # neither Event nor Response
        ami.send_event(Event="Hangup", Linkedid="9.9", Uniqueid="9.9")
        for _ in range(100):
            if events:
                break
            await asyncio.sleep(0.02)
        stats = dict(client.stats)
        await client.stop()
        await ami.stop()
        return events, stats

    events, stats = asyncio.run(scenario())
    assert [e["Event"] for e in events] == ["Hangup"]
    assert stats["malformed"] >= 2


@pytest.fixture
def fake():
    odoo = FakeOdoo().start()
    yield odoo
    odoo.stop()


def test_bridge_forwards_events_in_order_and_spools_live_emergency_calls(
    fake, tmp_path
):
    async def scenario():
        ami = await FakeAMI().start()
        # an emergency call already waiting in the queue when the bridge (re)starts
        ami.channels = [
            {
                "Channel": "Local/8001@eldercare-inbound-00000001;2",
                "Uniqueid": "10.2",
                "Linkedid": "10.1",
                "CallerIDNum": "13800138000",
                "Context": "eldercare-inbound",
                "Exten": "8001",
                "Application": "Queue",
                "ApplicationData": "eldercare-emergency,,,,60",
            }
        ]
        cfg = make_config(
            fake, tmp_path, ami_port=ami.port, ami_user="eldercare", ami_secret="s3cret"
        )
        async with running_bridge(cfg) as bridge:
            await asyncio.wait_for(bridge.ami.connected.wait(), 5)
            for _ in range(100):
                if fake.alerts:
                    break
                await asyncio.sleep(0.05)
            for i in range(30):
                ami.send_event(
                    Event="Newchannel", Linkedid="L1", Uniqueid=f"u{i}", Seq=str(i)
                )
            ami.send_event(Event="DialBegin", Linkedid="L1", DestChannel="PJSIP/1001-1")
            ami.send_event(Event="VarSet", Linkedid="L1")  # not forwarded
            ami.send_event(Event="Hangup", Linkedid="L1", Uniqueid="u0")
            for _ in range(100):
                if any(e.get("Event") == "Hangup" for e in fake.events):
                    break
                await asyncio.sleep(0.02)
        await ami.stop()

    asyncio.run(scenario())
    assert fake.alerts["10.1"]["did"] == "8001"
    assert fake.alert_raises == 1
    names = [e["Event"] for e in fake.events if e.get("Linkedid") == "L1"]
    assert names == ["Newchannel"] * 30 + ["DialBegin", "Hangup"]
    seqs = [int(e["Seq"]) for e in fake.events if e.get("Seq")]
    assert seqs == sorted(seqs)
    assert all("ActionID" not in e for e in fake.events)


def test_emergency_call_while_the_bridge_was_down_is_raised_once_from_astdb(
    fake, tmp_path
):
    """The caller hung up before the bridge came back: only the dialplan's
    AstDB record is left. Raised once, at the time the elder called, also
    after another restart."""
    # whole seconds, as the dialplan writes them (${EPOCH})
    called_at = int(time.time()) - 300

    async def scenario():
        ami = await FakeAMI().start()
        ami.astdb = {
            "/eldercare_fallback/20.1": f"{called_at}|13800138000|8001|line",
            "/eldercare_fallback/20.2": f"{called_at}|13900000000|8000|ivr",
            # a week old: history, not an alarm
            "/eldercare_fallback/19.9": f"{called_at - 8 * 86400}|1|8001|line",
        }
        cfg = make_config(
            fake, tmp_path, ami_port=ami.port, ami_user="eldercare", ami_secret="s3cret"
        )
        for _restart in range(2):
            async with running_bridge(cfg) as bridge:
                await asyncio.wait_for(bridge.ami.connected.wait(), 5)
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline and not (
                    {"20.1", "20.2"} <= set(fake.alerts) and not len(bridge.spool)
                ):
                    await asyncio.sleep(0.05)
        await ami.stop()

    asyncio.run(scenario())
    assert set(fake.alerts) == {"20.1", "20.2"}
    assert fake.alert_raises == 2, "raised once each, across two restarts"
    assert fake.alerts["20.1"]["caller_number"] == "13800138000"
    assert fake.alerts["20.1"]["received_at"].startswith(
        time.strftime("%Y-%m-%d %H:%M", time.gmtime(called_at))
    )
    assert fake.alerts["20.2"]["channel"] == "ivr"
