import logging
import re

import phonenumbers

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

_logger = logging.getLogger(__name__)

DEFAULT_REGION = "CN"
MAX_RAW_LENGTH = 40
# characters people (and PBXes) put around digits: spaces, dashes, dots,
# brackets, slashes; anything else (letters, quotes, semicolons...) is rejected
_ALLOWED_RAW = re.compile(r"^[0-9+\s\-().\/]+$")


class EldercarePhone(models.Model):
    """A certified phone number of an elder, normalised to E.164."""

    _name = "eldercare.phone"
    _description = "Elder Certified Phone Number"
    _order = "partner_id, sequence, id"
    _rec_name = "number"

    sequence = fields.Integer(default=10)
    partner_id = fields.Many2one(
        "res.partner",
        string="Elder",
        required=True,
        index=True,
        ondelete="cascade",
        domain=[("is_elder", "=", True)],
    )
    number = fields.Char(required=True, help="The number as typed.")
    number_e164 = fields.Char(
        string="Normalised Number",
        compute="_compute_number_e164",
        store=True,
        precompute=True,
        index=True,
        help="International E.164 form (+86 assumed when no country code).",
    )
    phone_type = fields.Selection(
        [
            ("mobile", "Mobile"),
            ("home", "Home"),
            ("emergency_button", "Emergency Button"),
            ("other", "Other"),
        ],
        string="Type",
        required=True,
        default="mobile",
    )
    active = fields.Boolean(default=True)
    note = fields.Char()

    @api.model
    def _normalize_number(self, raw):
        """Return the E.164 form of ``raw`` (+86 by default) or False.

        Never raises: empty values, letters, over-long strings or anything
        that is not a valid phone number give False.
        """
        if not raw or not isinstance(raw, str | int):
            return False
        raw = str(raw).strip()
        if not raw or len(raw) > MAX_RAW_LENGTH or not _ALLOWED_RAW.match(raw):
            return False
        digits = re.sub(r"\D", "", raw)
        if not digits or len(digits) > 17:
            return False
        candidates = [raw]
        if not raw.startswith("+"):
            if digits.startswith("86") and len(digits) in (12, 13):
                # 8613800138000 as sent by some trunks
                candidates.append("+" + digits)
            if digits.startswith("0") and not digits.startswith("00"):
                # 013800138000: trunk prefix in front of a mobile number
                candidates.append(digits.lstrip("0"))
        for candidate in candidates:
            try:
                parsed = phonenumbers.parse(candidate, DEFAULT_REGION)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(parsed):
                return phonenumbers.format_number(
                    parsed, phonenumbers.PhoneNumberFormat.E164
                )
        return False

    @api.depends("number")
    def _compute_number_e164(self):
        for phone in self:
            phone.number_e164 = self._normalize_number(phone.number) or False

    def _check_number_free(self, numbers, exclude_ids=()):
        """Raise a clear error before the database refuses a taken number."""
        numbers = [n for n in numbers if n]
        if not numbers:
            return
        taken = (
            self.sudo()
            .with_context(active_test=True)
            .search(
                [("number_e164", "in", numbers), ("id", "not in", list(exclude_ids))],
                limit=1,
            )
        )
        if taken:
            raise ValidationError(
                _(
                    "The number %(number)s is already certified for another "
                    "elder. A number can belong to one active elder only.",
                    number=taken.number_e164,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        # archived numbers must reach the database before the new ones
        self.flush_model(["active", "number_e164"])
        self._check_number_free(
            [
                self._normalize_number(vals.get("number"))
                for vals in vals_list
                if vals.get("active", True)
            ]
        )
        return super().create(vals_list)

    def write(self, vals):
        self.flush_model(["active", "number_e164"])
        if "number" in vals or vals.get("active"):
            if "number" in vals:
                numbers = [self._normalize_number(vals["number"])]
            else:
                numbers = self.mapped("number_e164")
            if vals.get("active", True):
                self._check_number_free(numbers, exclude_ids=self.ids)
        return super().write(vals)

    def init(self):
        # a number may belong to one active elder only
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS eldercare_phone_e164_active_uniq
            ON eldercare_phone (number_e164)
            WHERE active AND number_e164 IS NOT NULL
            """
        )

    @api.constrains("number", "number_e164", "active", "partner_id")
    def _check_number(self):
        for phone in self:
            if not phone.number_e164:
                raise ValidationError(
                    _(
                        "“%(number)s” is not a valid phone number. Type a mobile "
                        "number (13800138000), a landline with its area code "
                        "(010-6552 1234) or an international number (+86 ...).",
                        number=(phone.number or "")[:50],
                    )
                )
        active = self.filtered("active")
        if not active:
            return
        clashes = self.sudo().search(
            [
                ("number_e164", "in", active.mapped("number_e164")),
                ("active", "=", True),
                ("id", "not in", active.ids),
            ]
        )
        for phone in active:
            other = clashes.filtered(
                lambda p, ph=phone: p.number_e164 == ph.number_e164
            )
            if other:
                raise ValidationError(
                    _(
                        "The number %(number)s is already certified for another "
                        "elder. A number can belong to one active elder only.",
                        number=phone.number_e164,
                    )
                )
        for partner in active.partner_id:
            numbers = active.filtered(lambda p, pt=partner: p.partner_id == pt)
            if len(numbers.mapped("number_e164")) != len(numbers):
                raise ValidationError(
                    _(
                        "The same number is listed twice for %(elder)s.",
                        elder=partner.name,
                    )
                )

    def _compute_display_name(self):
        type_labels = dict(self._fields["phone_type"]._description_selection(self.env))
        for phone in self:
            number = phone.number_e164 or phone.number
            phone.display_name = f"{number} ({type_labels.get(phone.phone_type)})"

    @api.model
    def _find_by_number(self, raw):
        """Active certified phone records matching ``raw`` in any written form.

        One query: the partner is fetched with the match (emergency call path).
        """
        e164 = self._normalize_number(raw)
        if not e164:
            return self.browse()
        return self.search_fetch(
            [
                ("number_e164", "=", e164),
                ("active", "=", True),
                ("partner_id.active", "=", True),
                ("partner_id.is_elder", "=", True),
            ],
            ["partner_id"],
            limit=1,
        )
