"""Care calls against the real Asterisk 22, the bridge's dialer and a real
Odoo (tier "asterisk"): the phone satisfaction survey and the payment
reminder call.

The elders' phones are **Local channels** of the shipped training context
``eldercare-dialer-sim`` (``1999<k>...``: answers, then ``SendDTMF(<k>)``),
so the key travels through Asterisk's channel core into the dialplan's
``Read()`` like a phone's key. Odoo's outbound context is switched to it for
the test (the cascade tests' stack is reused); the care calls' quiet hours are
switched off (the machine's clock may be in the night of Shanghai).
"""

import pytest
from stack import set_params, wait_until
from test_cascade import cascade_stack  # noqa: F401  (the stack, sim context)

SURVEY_PRESSES_2 = "19992000301"
PAYMENT_PRESSES_1 = "19991000302"


@pytest.fixture(scope="module")
def care_stack(cascade_stack):  # noqa: F811
    """The cascade tests' stack (real Asterisk, bridge with speech, Odoo
    dialling ``eldercare-dialer-sim``) with the care calls' settings."""
    stack, admin, _phone = cascade_stack
    params = {
        "eldercare_care_calls.quiet_hours": "none",
        "eldercare_care_calls.survey_delay_minutes": "0",
        "eldercare_care_calls.ring_seconds": "10",
    }
    set_params(admin, params)
    return stack, admin


def care_call(admin, domain):
    rows = admin(
        "eldercare.care.call",
        "search_read",
        domain,
        ["state", "digit", "score", "result", "attempt_count", "number"],
    )
    return rows[0] if rows else None


def call_and_wait(admin, domain, what):
    """Place the care call now (or let the minutely cron do it: never both)
    and wait until it is answered; returns (id, row)."""
    call_id = admin("eldercare.care.call", "search", domain)[0]
    try:
        admin("eldercare.care.call", "action_call_now", [call_id])
    except Exception as exc:  # the cron took it first
        assert "not waiting" in str(exc), exc
    row = wait_until(
        lambda: (c := care_call(admin, domain)) and c["state"] == "done" and c,
        60,
        0.3,
        what,
    )
    return call_id, row


def followups(admin, model, res_id):
    type_id = admin(
        "ir.model.data",
        "check_object_reference",
        "eldercare_care_calls",
        "mail_activity_type_care_call_followup",
    )[1]
    return admin(
        "mail.activity",
        "search_read",
        [
            ("res_model", "=", model),
            ("res_id", "=", res_id),
            ("activity_type_id", "=", type_id),
        ],
        ["summary", "user_id"],
    )


def dialer_reads(stack, exten):
    return [
        e
        for e in stack.ami.find(Event="Newexten", Application="Read")
        if e.get("Context") == "eldercare-dialer" and e.get("Exten") == exten
    ]


def test_survey_key_2_scores_the_order_and_asks_for_a_follow_up(care_stack):
    stack, admin = care_stack
    order_id = admin(
        "eldercare.work.order",
        "search",
        [("state", "=", "assigned"), ("provider_id", "!=", False)],
        limit=1,
    )[0]
    elder = admin("eldercare.work.order", "read", [order_id], ["elder_id"])[0][
        "elder_id"
    ][0]
    admin("res.partner", "write", [elder], {"mobile": SURVEY_PRESSES_2})
    for step in ("action_accept", "action_start", "action_done"):
        admin("eldercare.work.order", step, [order_id])
    domain = [("work_order_id", "=", order_id), ("kind", "=", "survey")]
    call = care_call(admin, domain)
    assert call and call["number"] == SURVEY_PRESSES_2, call
    call_id, call = call_and_wait(admin, domain, "the survey call answered")
    assert call["digit"] == "2" and call["score"] == 2, call
    assert call["attempt_count"] == 1, call
    order = admin(
        "eldercare.work.order", "read", [order_id], ["satisfaction", "state"]
    )[0]
    assert order["satisfaction"] == "2", order
    todo = followups(admin, "eldercare.work.order", order_id)
    assert len(todo) == 1 and "2/5" in todo[0]["summary"], todo
    # the elder heard the survey question through the dialer's Read()
    reads = dialer_reads(stack, "survey")
    assert reads and "eldercare/survey-ask" in reads[-1]["AppData"], reads
    requests = admin(
        "eldercare.dial.request",
        "search_read",
        [("res_model", "=", "eldercare.care.call"), ("res_id", "=", call_id)],
        ["purpose", "result", "digit", "automated"],
    )
    assert [(r["purpose"], r["result"], r["digit"]) for r in requests] == [
        ("survey", "answered", "2")
    ], requests


def test_payment_reminder_call_is_answered_once(care_stack):
    stack, admin = care_stack
    runs = admin("eldercare.billing.run", "search", [], order="id desc", limit=1)
    assert runs, "demo data: last month's billing run"
    admin("eldercare.billing.run", "write", runs, {"create_invoices": True})
    admin("eldercare.billing.run", "action_run", runs)
    statements = admin(
        "eldercare.statement",
        "search_read",
        [("state", "=", "invoiced"), ("payment_state", "=", "not_paid")],
        ["partner_id", "invoice_id", "amount_residual"],
        limit=1,
    )
    assert statements, "an invoiced, unpaid statement"
    statement = statements[0]
    admin(
        "res.partner",
        "write",
        [statement["partner_id"][0]],
        {"mobile": PAYMENT_PRESSES_1, "eldercare_reminder_channel": "call"},
    )
    # its invoice is past due (the demo month's payment terms end later)
    stack.backend.psql(
        "UPDATE account_move SET invoice_date_due = CURRENT_DATE - 3 WHERE id = %s",
        statement["invoice_id"][0],
    )
    cron = admin(
        "ir.model.data",
        "check_object_reference",
        "eldercare_base",
        "ir_cron_care_reminders",
    )[1]
    admin("ir.cron", "method_direct_trigger", [cron])
    domain = [("statement_id", "=", statement["id"]), ("kind", "=", "payment")]
    call = care_call(admin, domain)
    assert call and call["number"] == PAYMENT_PRESSES_1, call
    call_id, call = call_and_wait(admin, domain, "the payment reminder answered")
    assert call["digit"] == "1", call
    reminded = admin(
        "eldercare.statement",
        "read",
        [statement["id"]],
        ["payment_reminder_date", "payment_reminder_channel"],
    )[0]
    assert reminded["payment_reminder_channel"] == "call", reminded
    assert followups(admin, "eldercare.statement", statement["id"])
    reads = dialer_reads(stack, "payment")
    assert reads and "eldercare/yuan" in reads[-1]["AppData"], reads
    # once per statement: the next run of the reminders calls nobody again
    admin("ir.cron", "method_direct_trigger", [cron])
    assert admin("eldercare.care.call", "search_count", domain) == 1
