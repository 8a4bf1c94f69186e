"""The JSON-RPC contract between the telephony bridge and Odoo, as cases.

Pure Python (no Odoo, no pytest): the same cases run against the fake Odoo
of the fast bridge tests (tests/bridge/test_contract_fake.py) and against
the real ``eldercare.pbx.bridge`` API (test_bridge_contract.py in this
addon). A case that passes on one side only means the fake no longer tells
the truth about Odoo, or Odoo broke what the bridge relies on.

Each case is ``case_<name>(api, world)``: ``api.call(method, *args)`` sends
one bridge API call and answers what came back over the wire (a JSON round
trip); ``world`` names the test data both sides hold: ``emergency_did``,
``service_did``, ``elder_number`` (a caller on file), ``unknown_number``;
the voice menu has keys 1 (household service), 8 (statement), 9
(emergency), 0 (operator) and no key 7.
"""

import json
import re

# what the bridge accepts (eldercare_bridge.routing.ROUTES / IVR_ROUTES)
ROUTES = ("emergency", "ivr", "operator", "fallback")
IVR_ROUTES = ("operator", "request", "statement", "emergency", "invalid")
EMERGENCY_QUEUE = "eldercare-emergency"
SERVICE_QUEUE = "eldercare-service"
AMOUNT_RE = re.compile(r"^[0-9]+\.[0-9]{2}$")


def wire(value):
    """What the other side of JSON-RPC receives."""
    return json.loads(json.dumps(value))


def _route_params(linkedid, caller, did):
    return {
        "linkedid": linkedid,
        "uniqueid": linkedid,
        "channel": "PJSIP/trunk-0000c001",
        "caller_num": caller,
        "caller_name": "",
        "did": did,
        "context": "eldercare-inbound",
    }


def _is_id(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def case_emergency_did_raises_one_alert(api, world):
    params = _route_params("contract-1.1", world.elder_number, world.emergency_did)
    [answer] = api.call("agi_route_batch", [params])
    assert answer["route"] == "emergency", answer
    assert answer["queue"] == EMERGENCY_QUEUE, answer
    assert _is_id(answer["alert_id"]) and answer["alert_id"] > 0, answer
    assert _is_id(answer["elder_id"]) and answer["elder_id"] > 0, answer
    assert _is_id(answer["call_id"]), answer
    assert isinstance(answer["chain"], list), answer
    # the same call asked again (bridge retry): the same alert, not a second
    [again] = api.call("agi_route_batch", [params])
    assert again["alert_id"] == answer["alert_id"], (answer, again)


def case_unknown_caller_still_raises_an_alert(api, world):
    params = _route_params("contract-1.2", world.unknown_number, world.emergency_did)
    [answer] = api.call("agi_route_batch", [params])
    assert answer["route"] == "emergency", answer
    assert answer["alert_id"] > 0, answer
    assert answer["elder_id"] == 0, answer


def case_service_did_goes_to_the_voice_menu(api, world):
    params = _route_params("contract-1.3", world.elder_number, world.service_did)
    [answer] = api.call("agi_route_batch", [params])
    assert answer["route"] == "ivr", answer
    assert answer["queue"] == SERVICE_QUEUE, answer
    assert answer["alert_id"] == 0, answer


def case_batch_answers_in_order(api, world):
    batch = [
        _route_params("contract-1.4", world.elder_number, world.service_did),
        _route_params("contract-1.5", world.elder_number, world.emergency_did),
        _route_params("contract-1.6", world.unknown_number, world.service_did),
    ]
    answers = api.call("agi_route_batch", batch)
    assert [a["route"] for a in answers] == ["ivr", "emergency", "ivr"], answers
    for answer in answers:
        assert answer["route"] in ROUTES, answer
        assert {"route", "elder_id", "alert_id", "call_id", "queue"} <= set(answer)


def case_ivr_emergency_key(api, world):
    api.call(
        "agi_route_batch",
        [_route_params("contract-2.1", world.elder_number, world.service_did)],
    )
    choice = {"linkedid": "contract-2.1", "digits": "9"}
    choice["caller_num"] = world.elder_number
    answer = api.call("ivr_choice", choice)
    assert answer["route"] == "emergency", answer
    assert answer["queue"] == EMERGENCY_QUEUE, answer
    assert answer["alert_id"] > 0, answer
    again = api.call("ivr_choice", choice)
    assert again["alert_id"] == answer["alert_id"], (answer, again)


def case_ivr_other_keys(api, world):
    api.call(
        "agi_route_batch",
        [_route_params("contract-2.2", world.elder_number, world.service_did)],
    )

    def press(digits):
        answer = api.call(
            "ivr_choice",
            {
                "linkedid": "contract-2.2",
                "digits": digits,
                "caller_num": world.elder_number,
            },
        )
        assert answer["route"] in IVR_ROUTES, answer
        assert isinstance(answer["say"], str), answer
        assert _is_id(answer["request_id"]) and _is_id(answer["alert_id"]), answer
        return answer

    operator = press("0")
    assert operator["route"] == "operator", operator
    assert operator["queue"] == SERVICE_QUEUE, operator
    for digits in ("7", ""):
        invalid = press(digits)
        assert invalid["route"] == "invalid", invalid
        assert invalid["request_id"] == 0 and invalid["alert_id"] == 0, invalid
    # which addons are installed decides between these, never anything else
    service = press("1")
    assert service["route"] in ("request", "operator"), service
    assert (service["request_id"] > 0) == (service["route"] == "request"), service
    statement = press("8")
    assert statement["route"] in ("statement", "operator"), statement
    if statement["route"] == "statement":
        # an amount the dialplan reads, or "" (the amount is being checked)
        assert statement["say"] == "" or AMOUNT_RE.match(statement["say"])


def case_spooled_alerts_are_idempotent(api, world):
    item = {
        "linkedid": "contract-3.1",
        "uniqueid": "contract-3.1",
        "caller_num": world.elder_number,
        "did": world.emergency_did,
        "received_at": "2026-12-01T08:00:00+00:00",
    }
    [done] = api.call("spooled_alerts", [item])
    assert done["linkedid"] == "contract-3.1", done
    assert done["alert_id"] > 0, done
    [again] = api.call("spooled_alerts", [item])
    assert again == done, (done, again)
    # an alarm routed live then replayed from the spool: the same alert
    params = _route_params("contract-3.2", world.elder_number, world.emergency_did)
    [routed] = api.call("agi_route_batch", [params])
    [replayed] = api.call("spooled_alerts", [dict(item, linkedid="contract-3.2")])
    assert replayed["alert_id"] == routed["alert_id"], (routed, replayed)


def case_bridge_config(api, world):
    config = api.call("bridge_config")
    assert world.emergency_did in config["emergency_dids"], config
    assert world.service_did in config["service_dids"], config
    assert world.emergency_did not in config["service_dids"], config
    assert "9" in config["ivr_emergency_digits"], config
    assert isinstance(config["escalation_chain"], list), config
    assert isinstance(config["operator_endpoints"], dict), config


def case_ami_events_and_heartbeat(api, world):
    answer = api.call(
        "ami_events",
        [
            {
                "Event": "Newchannel",
                "Linkedid": "contract-4.1",
                "Uniqueid": "contract-4.1",
                "Channel": "PJSIP/trunk-0000c041",
                "CallerIDNum": world.elder_number,
                "Exten": world.service_did,
                "Timestamp": "1764576000.0",
            }
        ],
    )
    assert answer["processed"] == 1, answer
    status = api.call("bridge_heartbeat", {"bridge": "contract", "pending": 0})
    assert _is_id(status["status_id"]), status
    assert api.call("warm_up") is True


CASES = {
    name[len("case_") :]: case
    for name, case in sorted(globals().items())
    if name.startswith("case_") and callable(case)
}
