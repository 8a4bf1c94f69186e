"""tools/ecctl/kannel.py without running Kannel: what the simulated carrier
logged is read back exactly (Chinese included), and the rendered
configuration keeps every port on loopback."""

import re
import urllib.parse

import pytest

from tools.ecctl import kannel as kannel_mod

HEAD = "2026-12-01 19:56:30 [22353] [0] DEBUG: "


def ucs2_line(n, sender, to, text):
    data = urllib.parse.quote_plus(text.encode("utf-16-be"))
    return f"{HEAD}Got message {n}: <{sender} {to} ucs-2 {data}>"


def test_simulator_log_is_read_back_exactly():
    log = "\n".join(
        [
            f"{HEAD}fakesmsc starting",
            ucs2_line(1, "95000", "+8613911112222", "张秀英报警：请尽快联系中心 95000"),
            f"{HEAD}Got message 2: <95000 +8613800000000 text barrier one two>",
            f"{HEAD}Got message 3: <95000 +86139 data caf%C3%A9+1>",
        ]
    )
    assert kannel_mod.parse_simulator_log(log) == [
        {
            "sender": "95000",
            "to": "+8613911112222",
            "text": "张秀英报警：请尽快联系中心 95000",
        },
        {"sender": "95000", "to": "+8613800000000", "text": "barrier one two"},
        {"sender": "95000", "to": "+86139", "text": "café 1"},
    ]


def test_rendered_configuration_listens_on_loopback_only(tmp_path):
    try:
        kannel = kannel_mod.Kannel(tmp_path / "k", "http://127.0.0.1:8069/", "tok")
    except kannel_mod.KannelUnavailable as exc:
        pytest.skip(str(exc))
    with open(kannel.render()) as handle:
        conf = handle.read()
    assert "${" not in conf
    for key in ("admin-interface", "smsbox-interface", "sendsms-interface", "our-host"):
        assert re.search(rf"^{key} = 127\.0\.0\.1$", conf, re.M), key
    assert 'box-allow-ip = "127.0.0.1"' in conf
    assert (
        'get-url = "http://127.0.0.1:8069/eldercare_sms/inbound/tok?'
        'from=%p&to=%P&text=%a"' in conf
    )
    params = kannel.odoo_params()
    assert params["eldercare_sms.kannel_url"] == kannel.sendsms_url
    assert params["eldercare_sms.token"] == "tok"
    assert len(set(kannel.ports.values())) == 4
