"""Every emergency and service call is recorded (MixMonitor, dialplan
``eldercare-record``), and the bridge hands the finished file to Odoo
(``recordings_done``), durably: a recording made while Odoo is unreachable is
handed over when it is back. The recording's length, measured with sox's
``soxi``, is the call's: from the caller's channel appearing to its hangup, as
Asterisk reported them on AMI (the caller waiting in the queue with music is
part of the call and of the recording)."""

import base64
import os
import subprocess

import pytest
from stack import elder_call, wait_until
from test_cascade import Admin

pytestmark = pytest.mark.timeout(300)

ELDER = "13800138000"
EMERGENCY_DID = "8001"
SERVICE_DID = "8000"
TOLERANCE = 0.5  # seconds between the recording and the call it records


def _recording(stack, linkedid, admin=None, timeout=30):
    """(duration Odoo stored, WAV bytes, call id, alert id) once stored."""
    backend = stack.backend
    if backend.name == "fake":

        def find():
            item = backend.fake.recordings.get(f"{linkedid}.wav")
            return item and (item["duration"], item["data"], None, None)

    else:

        def find():
            rows = admin(
                "eldercare.call.recording",
                "search_read",
                [("linkedid", "=", linkedid)],
                ["duration", "audio", "call_id", "alert_id"],
            )
            return rows and (
                rows[0]["duration"],
                rows[0]["audio"],
                rows[0]["call_id"] and rows[0]["call_id"][0],
                rows[0]["alert_id"] and rows[0]["alert_id"][0],
            )

    duration, data, call_id, alert_id = wait_until(
        find, timeout, 0.2, f"recording of call {linkedid}"
    )
    return duration, base64.b64decode(data), call_id, alert_id


def _speech(workdir):
    """Raw PCMU the elder's phone streams during the call (a 440 Hz tone)."""
    path = os.path.join(workdir, "speech.ulaw")
    if not os.path.exists(path):
        subprocess.run(
            ["sox", "-n", "-r", "8000", "-c", "1", "-t", "ul", path]
            + ["synth", "2", "sine", "440"],
            check=True,
            timeout=30,
        )
    return path


def _speaking_call(stack, did, caller, hold_ms):
    return elder_call(
        stack.asterisk.sip_port,
        did,
        caller,
        stack.workdir,
        hold_ms,
        scenario="elder_uac_speaking.xml",
        RTP_FILE=_speech(stack.workdir),
    )


def _soxi_seconds(workdir, name, data):
    path = os.path.join(workdir, name)
    with open(path, "wb") as fh:
        fh.write(data)
    out = subprocess.run(
        ["soxi", "-D", path], capture_output=True, text=True, check=True, timeout=30
    )
    return float(out.stdout.strip())


def _call_seconds(stack, mark, linkedid):
    """Seconds the caller's channel lived (Newchannel -> Hangup), by AMI: the
    whole call, waiting in the queue (music) included."""

    def find():
        events = [e for e in stack.ami.events[mark:] if e.get("Uniqueid") == linkedid]
        up = [e["_t"] for e in events if e.get("Event") == "Newchannel"]
        down = [e["_t"] for e in events if e.get("Event") == "Hangup"]
        return up and down and down[0] - up[0]

    return wait_until(find, 30, message=f"call {linkedid} up and hung up")


def _caller_linkedid(stack, mark, caller):
    def find():
        for e in stack.ami.events[mark:]:
            if (
                e.get("Event") == "Newchannel"
                and e.get("CallerIDNum") == caller
                and e.get("Context") == "eldercare-inbound"
                and e.get("Uniqueid") == e.get("Linkedid")
            ):
                return e["Linkedid"]
        return None

    return wait_until(find, 15, message=f"call from {caller}")


@pytest.fixture(scope="module")
def admin(stack):
    return Admin(stack.backend) if stack.backend.name == "odoo" else None


@pytest.mark.parametrize(
    "did,caller,hold_ms",
    [(EMERGENCY_DID, ELDER, 6000), (SERVICE_DID, "13912345678", 4000)],
)
def test_call_is_recorded_with_its_duration(clean_calls, admin, did, caller, hold_ms):
    stack = clean_calls
    mark = len(stack.ami.events)
    proc = _speaking_call(stack, did, caller, hold_ms)
    linkedid = _caller_linkedid(stack, mark, caller)
    assert proc.wait(60) == 0, "the elder's call failed (see the SIPp log)"
    answered = _call_seconds(stack, mark, linkedid)
    assert answered >= hold_ms / 1000.0 - 0.2, answered
    duration, data, call_id, alert_id = _recording(stack, linkedid, admin)
    measured = _soxi_seconds(stack.workdir, f"{linkedid}.wav", data)
    print(f"recording of {did}: soxi {measured:.2f} s, call {answered:.2f} s")
    assert abs(measured - answered) <= TOLERANCE, (measured, answered)
    assert abs(duration - measured) <= 0.1, (duration, measured)
    if stack.backend.name == "odoo":
        assert call_id, "the recording is not linked to its call log row"
        if did == EMERGENCY_DID:
            alert = stack.backend.alerts(linkedid)
            assert alert and int(alert[0][0]) == alert_id
    # handed over: the bridge's spool directory is empty again
    done = os.path.join(stack.asterisk.env()["EC_RECORDING_DIR"], "done")
    wait_until(
        lambda: f"{linkedid}.wav" not in os.listdir(done),
        10,
        message="the uploaded recording removed from the spool",
    )


def test_recording_made_while_odoo_is_down_is_handed_over_later(clean_calls, admin):
    stack = clean_calls
    done = os.path.join(stack.asterisk.env()["EC_RECORDING_DIR"], "done")
    mark = len(stack.ami.events)
    caller = "13912340777"
    proc = elder_call(stack.asterisk.sip_port, SERVICE_DID, caller, stack.workdir, 3000)
    linkedid = _caller_linkedid(stack, mark, caller)
    stack.backend.make_unreachable()
    try:
        assert proc.wait(60) == 0
        # the finished file waits in the spool directory
        wait_until(
            lambda: os.path.exists(os.path.join(done, f"{linkedid}.wav")),
            15,
            message="the finished recording in done/",
        )
    finally:
        stack.backend.make_reachable()
    duration, data, _call, _alert = _recording(stack, linkedid, admin, timeout=60)
    assert duration >= 2.5
    assert data[:4] == b"RIFF"
