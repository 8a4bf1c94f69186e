from unittest.mock import patch

import requests

from odoo.fields import Command

from odoo.addons.base.tests.common import BaseCommon

KANNEL_URL = "http://127.0.0.1:9/cgi-bin/sendsms"


class FakeResponse:
    def __init__(self, status_code=202, text="0: Accepted for delivery"):
        self.status_code = status_code
        self.text = text


class KannelMixin:
    def patch_kannel(self, responses=None, error=None):
        """Record every sendsms call; answer `responses` in turn (202 else).

        Only Kannel's address is faked: other HTTP calls (HttpCase) go on."""
        calls = []
        answers = list(responses or [])
        original = requests.Session.get

        def fake_get(session, url, params=None, **kw):
            if url != KANNEL_URL:
                return original(session, url, params=params, **kw)
            calls.append({"url": url, **(params or {})})
            if error:
                raise error
            return answers.pop(0) if answers else FakeResponse()

        patcher = patch.object(requests.Session, "get", fake_get)
        patcher.start()
        self.addCleanup(patcher.stop)
        return calls


def configure_kannel(env):
    set_param = env["ir.config_parameter"].sudo().set_param
    set_param("eldercare_sms.kannel_url", KANNEL_URL)
    set_param("eldercare_sms.kannel_user", "eldercare")
    set_param("eldercare_sms.kannel_password", "pw")
    set_param("eldercare_sms.kannel_sender", "95000")
    set_param("eldercare_sms.callback_url", "http://127.0.0.1:8069")
    set_param("eldercare_sms.token", "tok-123")
    set_param("eldercare_sms.quiet_hours", "21:00-08:00")


class KannelCase(KannelMixin, BaseCommon):
    """An elder with two relatives and a Kannel configuration whose HTTP
    calls are recorded (the real Kannel runs in tests/integration)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        configure_kannel(cls.env)
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.elder = cls.env["res.partner"].create(
            {
                "name": "张秀英",
                "is_elder": True,
                "lang": "zh_CN",
                "mobile": "13900001111",
                "relative_ids": [
                    Command.create(
                        {
                            "name": "王建国",
                            "relation": "son",
                            "phone": "13911112222",
                            "sequence": 1,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Wang Li",
                            "relation": "daughter",
                            "phone": "13922223333",
                            "lang": "en_US",
                            "sequence": 2,
                        }
                    ),
                ],
            }
        )
        cls.son, cls.daughter = cls.elder.relative_ids.sorted("sequence")

    def queue(self, body="测试短信 test", number="13911112222", **vals):
        return self.env["sms.sms"].create({"number": number, "body": body, **vals})
