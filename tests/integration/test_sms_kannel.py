"""SMS through a real Kannel (bearerbox + smsbox) to kannel-extras' SMSC
simulator, against the real Odoo (copied template database; needs the EC_*
variables like the rest of this tier). No Asterisk needed.

Proves: an SMS leaves Odoo's queue, passes Kannel, reaches the simulated
carrier with the right text and its delivery report marks it delivered;
Kannel down -> queued, back -> sent exactly once; a reply from a relative's
phone comes back into Odoo.
"""

import os
import sys

import pytest
from stack import (
    OdooBackend,
    execute_kw,
    new_workdir,
    remove_workdir,
    set_params,
    skip_unless_real_odoo,
    wait_until,
)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

from tools.ecctl.kannel import Kannel, KannelUnavailable  # noqa: E402


class SmsOdoo(OdooBackend):
    """The real Odoo, driven as its administrator (no telephony needed)."""

    def _configure(self):
        from passlib.context import CryptContext

        self.login = "admin"
        # hashed here: a plaintext password is rehashed at the first logins,
        # which then collide (serialization errors in Odoo's log)
        hashed = CryptContext(["pbkdf2_sha512"], pbkdf2_sha512__rounds=600_000).hash(
            self.password
        )
        rows = self.psql(
            "UPDATE res_users SET password = %s WHERE login = %s RETURNING id",
            hashed,
            self.login,
        )
        assert rows, "no admin user in the template database"
        self.uid = int(rows[0][0])
        installed = self.psql(
            "SELECT name FROM ir_module_module WHERE state = 'installed' "
            "AND name IN ('eldercare_sms', 'eldercare_sms_emergency')"
        )
        assert len(installed) == 2, f"eldercare_sms addons not installed: {installed}"
        # the tests run the SMS queue themselves (run_sms_queue): Odoo's cron
        # worker must not run it too, or the test's run finds the cron locked
        # ("This cron task is currently being executed") when both meet
        rows = self.psql(
            "UPDATE ir_cron SET active = false WHERE id = ("
            "SELECT res_id FROM ir_model_data WHERE module = 'sms' "
            "AND name = 'ir_cron_sms_scheduler_action') RETURNING id"
        )
        assert rows, "no SMS queue cron in the template database"

    def warm_up(self):
        self.call("res.users", "read", [self.uid], ["name"])

    def call(self, model, method, *args, **kwargs):
        return execute_kw(
            self.url, self.db, self.uid, self.password, model, method, args, kwargs
        )

    def run_sms_queue(self):
        """What the SMS queue cron does every minute, run now."""
        cron = self.call(
            "ir.model.data",
            "search_read",
            [("module", "=", "sms"), ("name", "=", "ir_cron_sms_scheduler_action")],
            ["res_id"],
        )[0]["res_id"]
        self.call("ir.cron", "method_direct_trigger", [cron])

    def sms(self, sms_id):
        fields = ["state", "failure_type", "eldercare_kannel_accepted_at", "body"]
        return self.call("sms.sms", "read", [sms_id], fields)[0]


@pytest.fixture(scope="module")
def sms_stack():
    skip_unless_real_odoo()
    workdir = new_workdir()
    odoo = kannel = None
    try:
        odoo = SmsOdoo(workdir)
        try:
            kannel = Kannel(
                os.path.join(workdir, "kannel"), odoo.url, "it-" + os.urandom(8).hex()
            )
        except KannelUnavailable as exc:
            pytest.skip(str(exc))
        kannel.render()
        kannel.start()
        set_params(odoo.call, {**kannel.odoo_params(), "eldercare_sms.quiet_hours": ""})
        yield odoo, kannel
    finally:
        if kannel:
            kannel.close()
        if odoo:
            odoo.stop()
        remove_workdir(workdir)


def carrier_got(kannel, text):
    return [m for m in kannel.received() if m["text"] == text]


def barrier(odoo, kannel, tag):
    """Send a marker SMS and wait until the carrier has it: Kannel hands the
    simulator its messages in order, so anything sent before is there too."""
    text = f"barrier {tag} {os.urandom(4).hex()}"
    odoo.call("sms.sms", "create", {"number": "13800000000", "body": text})
    odoo.run_sms_queue()
    wait_until(lambda: carrier_got(kannel, text), 20, message=f"barrier {tag}")


def test_sms_reaches_carrier_and_is_delivered(sms_stack):
    odoo, kannel = sms_stack
    body = "张秀英报警：老人已确认需要帮助，请尽快联系中心 95000。Alert 1"
    sms_id = odoo.call("sms.sms", "create", {"number": "139 1111 2222", "body": body})
    odoo.run_sms_queue()
    got = wait_until(
        lambda: carrier_got(kannel, body), 20, message="SMS at the carrier"
    )
    assert got[0]["to"] == "+8613911112222"
    assert got[0]["sender"] == "95000"
    # the carrier's delivery report comes back through Kannel's dlr-url
    wait_until(lambda: odoo.sms(sms_id)["state"] == "sent", 20, message="delivered")
    barrier(odoo, kannel, "after-delivery")
    assert len(carrier_got(kannel, body)) == 1


def create_elder(odoo, elder_name, **relative):
    """An elder with one relative (``relative``: the relative's fields)."""
    return odoo.call(
        "res.partner",
        "create",
        {"name": elder_name, "is_elder": True, "relative_ids": [(0, 0, relative)]},
    )


def test_alert_raised_texts_the_relative_in_their_language(sms_stack):
    odoo, kannel = sms_stack
    elder_id = create_elder(
        odoo,
        "Zhang Xiuying",
        name="Wang Li",
        relation="daughter",
        phone="13922223333",
        lang="en_US",
    )
    alert_id = odoo.call("eldercare.alert", "create", {"elder_id": elder_id})
    alert = odoo.call("eldercare.alert", "read", [alert_id], ["name"])[0]
    sms = odoo.call(
        "sms.sms",
        "search_read",
        [
            ("eldercare_res_model", "=", "eldercare.alert"),
            ("eldercare_res_id", "=", alert_id),
        ],
        ["body", "number"],
    )
    assert [s["number"] for s in sms] == ["13922223333"]
    body = sms[0]["body"]
    assert body.startswith("Eldercare center: Zhang Xiuying raised an emergency alert")
    assert alert["name"] in body
    odoo.run_sms_queue()
    got = wait_until(
        lambda: carrier_got(kannel, body), 20, message="alert SMS at the carrier"
    )
    assert got[0]["to"] == "+8613922223333"
    wait_until(
        lambda: odoo.sms(sms[0]["id"])["state"] == "sent", 20, message="delivered"
    )


def test_kannel_down_queues_then_sends_once(sms_stack):
    odoo, kannel = sms_stack
    body = f"Kannel outage test {os.urandom(3).hex()}"
    kannel.stop()
    try:
        sms_id = odoo.call("sms.sms", "create", {"number": "13933334444", "body": body})
        odoo.run_sms_queue()
        odoo.run_sms_queue()
        queued = odoo.sms(sms_id)
        assert queued["state"] == "outgoing", queued
        assert not queued["failure_type"]
        assert not queued["eldercare_kannel_accepted_at"]
    finally:
        kannel.start()
    odoo.run_sms_queue()
    wait_until(
        lambda: carrier_got(kannel, body), 20, message="queued SMS sent after restart"
    )
    wait_until(lambda: odoo.sms(sms_id)["state"] == "sent", 20, message="delivered")
    odoo.run_sms_queue()
    barrier(odoo, kannel, "after-restart")
    assert len(carrier_got(kannel, body)) == 1, "sent exactly once"


def test_reply_from_a_relative_is_recorded(sms_stack):
    odoo, kannel = sms_stack
    elder_id = create_elder(
        odoo, "Li Deming", name="Li Qiang", relation="son", phone="13955556666"
    )
    kannel.send_mo("13955556666", "1 我马上去")

    def recorded():
        return odoo.call(
            "eldercare.sms.inbound",
            "search_read",
            [("number", "=", "+8613955556666")],
            ["text", "partner_id", "relative_id"],
        )

    inbound = wait_until(recorded, 20, message="reply recorded in Odoo")
    assert inbound[0]["text"] == "1 我马上去"
    assert inbound[0]["partner_id"][0] == elder_id
    assert inbound[0]["relative_id"][1] == "Li Qiang"
