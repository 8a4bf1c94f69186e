"""Which numbers the center's phones may dial out (least privilege).

The allowed patterns live on the company (Telephony settings); Odoo checks a
number with :meth:`_eldercare_check_outbound_number` before any outbound call
it asks for, and hands the patterns to the bridge in ``bridge_config``
(``outbound_patterns``) so the dialplan's outbound context refuses anything
else as well. Domestic numbers by default; international and premium-rate
numbers are refused.
"""

import re

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

# one regular expression per line, matched against the digits of the number
DEFAULT_OUTBOUND_PATTERNS = "\n".join(
    [
        r"1[3-9]\d{9}",  # mainland mobile
        r"0[1-9]\d{8,10}",  # landline with its area code
        r"[2-9]\d{6,7}",  # local landline
        r"1(10|19|20|22)",  # police, fire, ambulance, traffic
        r"[48]00\d{7}",  # toll-free service numbers
    ]
)
# refused whatever the patterns say
REFUSED = (
    (re.compile(r"^(\+|00)"), "international"),
    (re.compile(r"^(1900|1259)"), "premium-rate"),
)


class ResCompany(models.Model):
    _inherit = "res.company"

    eldercare_outbound_patterns = fields.Text(
        string="Allowed Outbound Numbers",
        default=DEFAULT_OUTBOUND_PATTERNS,
        help="One regular expression per line, matched against the digits of the "
        "dialled number. Anything else is refused, in Odoo and in the dialplan. "
        "International and premium-rate numbers are always refused.",
    )

    @api.constrains("eldercare_outbound_patterns")
    def _check_eldercare_outbound_patterns(self):
        for company in self:
            for pattern in company._eldercare_outbound_pattern_list():
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValidationError(
                        _(
                            "Allowed outbound numbers: %(pattern)s is not a valid "
                            "pattern (%(error)s).",
                            pattern=pattern,
                            error=exc,
                        )
                    ) from exc

    def _eldercare_outbound_pattern_list(self):
        self.ensure_one()
        return [
            line.strip()
            for line in (self.eldercare_outbound_patterns or "").splitlines()
            if line.strip() and not line.strip().startswith("#")
        ]

    def _eldercare_check_outbound_number(self, number):
        """The digits of ``number`` when the company may dial it; else a
        UserError saying why. For every outbound call Odoo asks for."""
        self.ensure_one()
        raw = (number or "").strip()
        digits = re.sub(r"[\s().-]", "", raw)
        for pattern, kind in REFUSED:
            if pattern.match(digits):
                label = (
                    _("international") if kind == "international" else _("premium-rate")
                )
                raise UserError(
                    _(
                        "%(number)s is a %(kind)s number: the call center does not "
                        "dial it.",
                        number=raw,
                        kind=label,
                    )
                )
        if not digits.isdigit() or not any(
            re.fullmatch(pattern, digits)
            for pattern in self._eldercare_outbound_pattern_list()
        ):
            raise UserError(
                _(
                    "%(number)s is not among the numbers this center may dial "
                    "(Telephony settings: Allowed Outbound Numbers).",
                    number=raw or _("(empty)"),
                )
            )
        return digits
