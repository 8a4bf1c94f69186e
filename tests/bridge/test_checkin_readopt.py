"""Bridge restart in the middle of a round of automated calls: the dialer
re-adopts the calls a previous run placed that are still up, reports what
happens to them (key, answer, hang-up), places none of them again, and does
not poll Odoo before it has looked (Odoo would end them as lost)."""

import asyncio

import pytest
from fake_ami import FakeAMI
from test_dialer import QueueOdoo, run, until

LOCAL = "Local/13700000001@eldercare-dialer-out-0000000{n};{half}"


class GetvarAMI(FakeAMI):
    """Answers Getvar from ``variables`` ({(channel, name): value})."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.variables = {}

    async def _answer(self, frame, writer):
        if frame.get("Action", "").lower() != "getvar":
            return await super()._answer(frame, writer)
        aid = frame.get("ActionID", "")
        key = (frame.get("Channel"), frame.get("Variable"))
        if key in self.variables:
            out = (
                f"Response: Success\r\nActionID: {aid}\r\n"
                f"Variable: {key[1]}\r\nValue: {self.variables[key]}\r\n\r\n"
            )
        else:
            out = (
                f"Response: Error\r\nActionID: {aid}\r\n"
                "Message: No such channel\r\n\r\n"
            )
        writer.write(out.encode())


@pytest.fixture
def odoo():
    fake = QueueOdoo().start()
    yield fake
    fake.stop()


def previous_run_ami():
    ami = GetvarAMI()
    answered = LOCAL.format(n=1, half=1)
    ringing = LOCAL.format(n=2, half=1)
    ami.channels = [
        # answered, in the check-in message: the key is still to come
        {"Channel": answered, "Uniqueid": "ec-test-21", "ChannelState": "6"},
        {"Channel": LOCAL.format(n=1, half=2), "Uniqueid": "ec-test-21b"},
        # answered, key already read, hang-up pending
        {
            "Channel": LOCAL.format(n=3, half=1),
            "Uniqueid": "ec-test-23",
            "ChannelState": "6",
        },
        # still ringing
        {"Channel": ringing, "Uniqueid": "ec-test-22", "ChannelState": "5"},
        # not a dialer call
        {"Channel": "PJSIP/trunk-00000009", "Uniqueid": "1733000000.9"},
    ]
    ami.variables = {
        (answered, "EC_DIAL_ID"): "21",
        (answered, "EC_DIGIT"): "",
        (LOCAL.format(n=1, half=2), "EC_DIAL_ID"): "21",
        (LOCAL.format(n=3, half=1), "EC_DIAL_ID"): "23",
        (LOCAL.format(n=3, half=1), "EC_DIGIT"): "1",
        (ringing, "EC_DIAL_ID"): "22",
        (ringing, "EC_DIGIT"): "",
    }
    return ami


def test_restart_readopts_live_calls_and_reports_them(odoo, tmp_path):
    async def scenario(bridge, ami):
        await until(lambda: odoo.polls, what="first poll")
        assert odoo.polls[0][0] == [21, 22, 23], "adopted before the first poll"
        assert all(ids for ids, _accept in odoo.polls[:1])
        assert bridge.dialer.stats["adopted"] == 3
        # the answered call's key and hang-up still reach Odoo
        ami.send_event(
            Event="UserEvent",
            UserEvent="EldercareDial",
            EcDialId="21",
            Digit="9",
            Purpose="checkin",
        )
        ami.send_event(Event="Hangup", Uniqueid="ec-test-21", Cause="16")
        ami.send_event(Event="Hangup", Uniqueid="ec-test-23", Cause="16")
        # the ringing one: the OriginateResponse of the previous run's action
        ami.send_event(
            Event="OriginateResponse",
            ActionID="ec-dial-22-7",
            Response="Failure",
            Reason="3",
            Uniqueid="ec-test-22",
        )
        ami.send_event(Event="Hangup", Uniqueid="ec-test-22", Cause="19")

        def ended():
            return {r["id"]: r for r in odoo.reports if r["event"] == "ended"}

        await until(lambda: len(ended()) == 3, what="three calls ended")
        await until(lambda: odoo.polls[-1][0] == [], what="nothing tracked")
        return ended()

    ami = previous_run_ami()
    ended = run(odoo, tmp_path, scenario, ami=ami)
    assert ended[21]["result"] == "answered" and ended[21]["digit"] == "9"
    assert ended[23]["result"] == "answered" and ended[23]["digit"] == "1"
    assert ended[22]["result"] == "no_answer"
    answered = {r["id"] for r in odoo.reports if r["event"] == "answered"}
    assert {21, 23} <= answered
    assert not ami.originates(), "no call placed twice"


def test_no_poll_before_the_ami_is_up(odoo, tmp_path):
    """Until the dialer could look for the calls of a previous run it tells
    Odoo nothing (an empty active list would end them as lost)."""

    async def main():
        ami = await previous_run_ami().start()
        port = ami.port
        await ami.stop()  # Asterisk is not there yet
        from helpers import make_config, running_bridge

        config = make_config(
            odoo,
            tmp_path,
            ami_port=port,
            ami_user="eldercare",
            ami_secret="s3cret",
            dial_poll_interval=0.05,
        )
        async with running_bridge(config) as bridge:
            await asyncio.sleep(0)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 1.0
            while loop.time() < deadline:  # a bounded observation window
                assert not odoo.polls
                await asyncio.sleep(0.05)
            assert not bridge.dialer.adopted

    asyncio.run(main())


def test_a_plain_fake_ami_adopts_nothing(odoo, tmp_path):
    async def scenario(bridge, ami):
        await until(lambda: odoo.polls, what="first poll")
        assert bridge.dialer.stats["adopted"] == 0

    run(odoo, tmp_path, scenario, ami=FakeAMI())
