"""Payment reminder calls: billing decides who is reminded (unpaid past the
due date, once per statement, SMS or call per the elder's preference); the
calls are care calls of kind ``payment`` placed by the one dialer. The
Mandarin message reads the amount still due with the voice menu's
``point`` / ``yuan`` prompts and spoken numbers ("一百七十三点六七元")."""

from odoo import fields, models

MAX_SPOKEN = 10**8
ZERO = "eldercare/digit-0"
DIGITS = [ZERO, "eldercare/reminder-num-1"] + [
    f"eldercare/digit-{d}" for d in range(2, 10)
]
UNITS = (
    (1000, "eldercare/reminder-num-1000"),
    (100, "eldercare/reminder-num-100"),
    (10, "eldercare/reminder-num-10"),
    (1, None),
)
WAN = "eldercare/reminder-num-10000"


def _group_prompts(number, leading):
    """Sound files of 1..9999 in Mandarin (零 for inner zeros, 十 alone at
    the start: 12 = 十二, 1005 = 一千零五)."""
    out, zero = [], False
    for unit, name in UNITS:
        digit = number // unit % 10
        if not digit:
            zero = bool(out)
            continue
        if zero:
            out.append(ZERO)
            zero = False
        if not (leading and not out and unit == 10 and digit == 1):
            out.append(DIGITS[digit])
        if name:
            out.append(name)
    return out


def amount_prompts(amount):
    """Sound files that say ``amount`` yuan, e.g. 1234.5 -> 一千二百三十四点五元."""
    cents = round(abs(amount or 0.0) * 100)
    whole, frac = divmod(cents, 100)
    if whole >= MAX_SPOKEN:
        out = [DIGITS[int(d)] for d in str(whole)]
    elif not whole:
        out = [ZERO]
    else:
        high, low = divmod(whole, 10000)
        out = []
        if high:
            out += _group_prompts(high, True) + [WAN]
            if low and low < 1000:
                out.append(ZERO)
        if low:
            out += _group_prompts(low, not high)
    if frac:
        out.append("eldercare/point")
        out += [DIGITS[int(d)] for d in f"{frac:02d}".rstrip("0")]
    return out + ["eldercare/yuan"]


class EldercareStatement(models.Model):
    _inherit = "eldercare.statement"

    payment_call_ids = fields.One2many(
        "eldercare.care.call", "statement_id", string="Reminder Calls"
    )

    def _eldercare_request_reminder_calls(self):
        """Billing's hook: one reminder call per statement (never twice);
        returns the statements whose call was queued."""
        super()._eldercare_request_reminder_calls()
        calls = self.env["eldercare.care.call"]._eldercare_schedule(
            [
                {
                    "kind": "payment",
                    "dedup_key": f"payment:{statement.id}",
                    "elder_id": statement.partner_id.id,
                    "statement_id": statement.id,
                    "company_id": statement.company_id.id,
                }
                for statement in self
            ]
        )
        return calls.filtered("number").statement_id
