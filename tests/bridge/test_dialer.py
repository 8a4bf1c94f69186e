"""The one dialer (eldercare_bridge/dialer.py) against a fake Odoo queue and a
fake Asterisk manager: what it originates, what it reports back, pacing of
what Odoo hands it, hang-ups, and the frames it writes (no header injection,
what the removed Odoo-side AMI client used to prove)."""

import asyncio
import threading

import pytest
from eldercare_bridge.ami import build_action, parse_frames
from eldercare_bridge.dialer import Dialer, hangup_result
from fake_ami import FakeAMI
from fake_odoo import FakeOdoo
from helpers import make_config, running_bridge


class QueueOdoo(FakeOdoo):
    """FakeOdoo with a dial queue: ``queue`` is handed out at the next poll."""

    def __init__(self):
        super().__init__()
        self.queue = []
        self.reports = []
        self.polls = []
        self.hangups = []
        self.qlock = threading.Lock()

    def dial_sync(self, reports, active_ids, accept=True):
        with self.qlock:
            self.reports += reports
            self.polls.append((list(active_ids), accept))
            out = self.queue if accept else []
            if accept:
                self.queue = []
            hangup, self.hangups = self.hangups, []
        return {"dial": out, "hangup": hangup, "max_channels": 10}


async def until(predicate, timeout=15.0, what="condition"):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


def cascade_request(rid, number="13700000001"):
    return {
        "id": rid,
        "linkedid": f"ec-test-{rid}",
        "channel": f"Local/{number}@eldercare-dialer-out",
        "context": "eldercare-dialer",
        "exten": "cascade",
        "priority": 1,
        "callerid": '"Centre" <8000>',
        "timeout": 20,
        "variables": {"EC_ALERT_ID": 5, "EC_NAME": "张,三"},
        "prompt": "eldercare/cascade-intro&{say}&eldercare/cascade-ask",
        "say_text": "张秀英",
        "automated": True,
        "number": number,
    }


@pytest.fixture
def odoo():
    fake = QueueOdoo().start()
    yield fake
    fake.stop()


def run(odoo, tmp_path, scenario, ami=None, **cfg):
    async def main():
        fake_ami = await (ami or FakeAMI()).start()
        config = make_config(
            odoo,
            tmp_path,
            ami_port=fake_ami.port,
            ami_user="eldercare",
            ami_secret="s3cret",
            dial_poll_interval=0.05,
            **cfg,
        )
        try:
            async with running_bridge(config) as bridge:
                await asyncio.wait_for(bridge.ami.connected.wait(), 5)
                return await scenario(bridge, fake_ami)
        finally:
            await fake_ami.stop()

    return asyncio.run(main())


def test_answered_call_with_digit_is_reported_in_order(odoo, tmp_path):
    async def scenario(bridge, ami):
        odoo.queue.append(cascade_request(41))
        await until(lambda: ami.originates(), what="Originate")
        headers = ami.originates()[0]
        aid = dict(headers)["ActionID"]
        ami.send_event(Event="Newchannel", Uniqueid="ec-test-41", Channel="Local/x;1")
        ami.send_event(Event="OriginateResponse", ActionID=aid, Response="Success")
        await until(lambda: odoo.reports, what="answered report")
        ami.send_event(
            Event="UserEvent", UserEvent="EldercareDial", EcDialId="41", Digit="1"
        )
        ami.send_event(Event="Hangup", Uniqueid="ec-test-41", Cause="16")
        await until(
            lambda: any(r["event"] == "ended" for r in odoo.reports), what="ended"
        )
        return headers, bridge.dialer.stats

    headers, stats = run(odoo, tmp_path, scenario)
    fields = dict(headers)
    assert fields["Channel"] == "Local/13700000001@eldercare-dialer-out"
    assert fields["Context"] == "eldercare-dialer"
    assert fields["Exten"] == "cascade"
    assert fields["ChannelId"] == "ec-test-41"
    assert fields["Async"] == "true"
    assert fields["Timeout"] == "20000"
    variables = [v for k, v in headers if k == "Variable"]
    assert "EC_ALERT_ID=5" in variables
    assert "EC_NAME=张 三" in variables, "a comma would split the AMI variable"
    prompt = next(v for v in variables if v.startswith("EC_PROMPT="))
    assert "{say}" not in prompt, "no TTS dir: the name is left out"
    assert prompt == "EC_PROMPT=eldercare/cascade-intro&eldercare/cascade-ask"
    events = [(r["event"], r.get("result"), r.get("digit")) for r in odoo.reports]
    assert events[0] == ("answered", None, None)
    assert events[-1] == ("ended", "answered", "1")
    assert stats["placed"] == 1 and stats["ended"] == 1


def test_no_answer_busy_and_refused_originate(odoo, tmp_path):
    ami = FakeAMI()

    async def scenario(bridge, fake):
        odoo.queue += [cascade_request(1), cascade_request(2, "13700000002")]
        await until(lambda: len(fake.originates()) == 2, what="two Originates")
        by_exten = {
            dict(h)["ChannelId"]: dict(h)["ActionID"] for h in fake.originates()
        }
        fake.send_event(
            Event="OriginateResponse",
            ActionID=by_exten["ec-test-1"],
            Response="Failure",
            Reason="3",
        )
        fake.send_event(Event="Hangup", Uniqueid="ec-test-2", Cause="17")
        await until(lambda: len(odoo.reports) == 2, what="two results")
        fake.refuse_originate = True
        odoo.queue.append(cascade_request(3))
        await until(lambda: len(odoo.reports) == 3, what="refused result")
        await until(lambda: odoo.polls and odoo.polls[-1][0] == [], what="idle poll")

    run(odoo, tmp_path, scenario, ami=ami)
    results = {r["id"]: r for r in odoo.reports}
    assert results[1]["result"] == "no_answer"
    assert results[2]["result"] == "busy"
    assert results[3]["result"] == "failed"
    assert "Extension does not exist" in results[3]["error"]


def test_active_calls_are_reported_and_hangup_requested(odoo, tmp_path):
    async def scenario(bridge, ami):
        odoo.queue.append(cascade_request(7))
        await until(lambda: ami.originates(), what="Originate")
        await until(lambda: odoo.polls[-1][0] == [7], what="poll listing call 7")
        ami.send_event(Event="Newchannel", Uniqueid="ec-test-7", Channel="Local/y;1")
        await until(lambda: bridge.dialer.calls[7].channel, what="channel name")
        odoo.hangups.append("ec-test-7")
        await until(
            lambda: any(a.get("Action") == "Hangup" for a in ami.actions), what="Hangup"
        )
        ami.send_event(Event="Hangup", Uniqueid="ec-test-7", Cause="16")
        await until(lambda: odoo.reports, what="report")

    run(odoo, tmp_path, scenario)
    hangup = [a for a in odoo.reports if a["id"] == 7][-1]
    assert hangup["result"] == "cancelled"


def test_no_new_call_taken_while_ami_is_down(odoo, tmp_path):
    async def scenario(bridge, ami):
        # the dialer polls once it looked for the calls of a previous run
        await until(lambda: odoo.polls, what="first poll")
        ami.kick()
        await until(lambda: not bridge.ami.connected.is_set(), what="AMI down")
        odoo.queue.append(cascade_request(9))
        await until(lambda: odoo.polls and odoo.polls[-1][1] is False, what="poll")
        assert odoo.queue, "the request stays queued in Odoo"
        await asyncio.wait_for(bridge.ami.connected.wait(), 10)
        await until(lambda: ami.originates(), timeout=10, what="Originate after login")

    run(odoo, tmp_path, scenario)


def test_reports_survive_an_unreachable_odoo(odoo, tmp_path):
    async def scenario(bridge, ami):
        odoo.queue.append(cascade_request(11))
        await until(lambda: ami.originates(), what="Originate")
        odoo.down = True
        ami.send_event(Event="Hangup", Uniqueid="ec-test-11", Cause="19")
        await until(lambda: bridge.dialer.reports, what="kept report")
        await until(lambda: bridge.dialer.stats["poll_failures"] >= 1, what="failure")
        odoo.down = False
        await until(lambda: odoo.reports, timeout=15, what="report delivered")

    run(odoo, tmp_path, scenario)
    assert [r["result"] for r in odoo.reports if r["id"] == 11] == ["no_answer"]


def test_speech_is_synthesised_once_per_text(odoo, tmp_path):
    dialer = Dialer(bridge=None, tts_dir=str(tmp_path / "tts"), tts_prefix="ec-tts")
    if not dialer.tts_available():
        pytest.skip("espeak-ng and sox are not installed")

    async def scenario():
        first = await dialer._resolve_prompt("a&{say}&b", "张秀英")
        second = await dialer._resolve_prompt("a&{say}&b", "张秀英")
        return first, second

    dialer_tts_wait = 10.0
    import eldercare_bridge.dialer as mod

    old, mod.TTS_WAIT = mod.TTS_WAIT, dialer_tts_wait
    try:
        first, second = asyncio.run(scenario())
    finally:
        mod.TTS_WAIT = old
    assert first == second
    name = first.split("&")[1]
    assert name.startswith("ec-tts/")
    wav = tmp_path / "tts" / (name.split("/")[1] + ".wav")
    assert wav.stat().st_size > 1000
    assert list((tmp_path / "tts").iterdir()) == [wav], "no temporary file left"


def test_hangup_causes_and_frames():
    assert hangup_result("17", False) == "busy"
    assert hangup_result("19", False) == "no_answer"
    assert hangup_result("34", False) == "failed"
    assert hangup_result("16", True) == "answered"
    raw = build_action(
        "Originate",
        {"Exten": "110\r\nAction: Command", "Variable": ["A=1", "B=2"]},
    ).decode()
    frames, malformed = parse_frames(raw)
    assert not malformed
    assert [line for line in raw.split("\r\n") if line.startswith("Action:")] == [
        "Action: Originate"
    ], "no header injection through a value"
    assert frames[0]["Variable"] == ["A=1", "B=2"]
