"""Batch shortcuts of the month-end fast path, each giving what Odoo gives.

- Journal items whose debit and credit come precomputed keep them (Odoo's
  ``_sanitize_vals`` drops them whenever a balance is given, which forces a
  ``new()`` record per journal item to compute them again), as precomputed
  values: like Odoo's own, they are not run through the debit/credit inverses.
- Journal items keep the precomputed related fields they are given (company,
  company currency, journal, originator tax and tax group): Odoo drops every
  readonly precomputed field from the create values "to force their
  computation", which builds a ``new()`` record per journal item only to find
  the same values again.
- The defaults of journal items are read once per create batch: ``default_get``
  depends on the context, not on the values, and the batch shares one context.
- Consecutive moves of one journal, type and date take their numbers from the
  last number read once, then from the sequence cache Odoo keeps for the
  transaction (``sequence.mixin._locked_increment``): no query per move.

All four apply only under the context key ``eldercare_bulk_moves`` that
``account.move._eldercare_create_posted`` sets.
"""

import copy

from odoo import api, models

BULK_KEY = "eldercare_bulk_moves"
FORMAT_MEMO = "eldercare_bulk_sequence_format"
# create values key carrying the readonly precomputed fields past
# BaseModel._prepare_create_values (which drops them) to _add_precomputed_values
KEPT_KEY = "__eldercare_kept_precomputed__"


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def _sanitize_vals(self, vals):
        if (
            self.env.context.get(BULK_KEY)
            and "balance" in vals
            and "debit" in vals
            and "credit" in vals
        ):
            debit, credit = vals["debit"], vals["credit"]
            sanitized = super()._sanitize_vals(
                {k: v for k, v in vals.items() if k not in ("debit", "credit")}
            )
            return dict(sanitized, debit=debit, credit=credit)
        return super()._sanitize_vals(vals)

    def _add_missing_default_values(self, values):
        vals = super()._add_missing_default_values(values)
        if self.env.context.get(BULK_KEY):
            kept = {
                fname: values[fname]
                for fname in self._eldercare_readonly_precomputed()
                if fname in values
            }
            if kept:
                vals = dict(vals, **{KEPT_KEY: kept})
        return vals

    def _add_precomputed_values(self, vals_list):
        debit_credit = {self._fields["debit"], self._fields["credit"]}
        for vals in vals_list:
            kept = vals.pop(KEPT_KEY, None)
            if kept is None:
                continue
            vals.update(kept)
            if "balance" in vals and "debit" in vals and "credit" in vals:
                # computed from the balance, as Odoo's precomputation would:
                # not inverted back into the balance (Odoo's inverse is only
                # for a debit or credit the user typed)
                vals["__precomputed__"] = set(debit_credit)
        return super()._add_precomputed_values(vals_list)

    @api.model
    def _eldercare_readonly_precomputed(self):
        # per registry: the model class is rebuilt with its fields
        cls = type(self)
        if "_eldercare_ro_precomputed" not in cls.__dict__:
            cls._eldercare_ro_precomputed = tuple(
                fname
                for fname, field in self._fields.items()
                if field.precompute and field.readonly
            )
        return cls._eldercare_ro_precomputed

    @api.model
    def default_get(self, fields_list):
        if not self.env.context.get(BULK_KEY):
            return super().default_get(fields_list)
        memo = self.env.cr.precommit.data.setdefault("eldercare.aml_defaults", {})
        key = (
            tuple(fields_list),
            tuple(sorted((k, repr(v)) for k, v in self.env.context.items())),
            self.env.uid,
            self.env.su,
        )
        if key not in memo:
            memo[key] = super().default_get(fields_list)
        return copy.deepcopy(memo[key])


class AccountMove(models.Model):
    _inherit = "account.move"  # pylint: disable=consider-merging-classes-inherited

    def _get_next_sequence_format(self):
        if not self.env.context.get(BULK_KEY):
            return super()._get_next_sequence_format()
        # kept inside Odoo's own sequence cache: whenever Odoo clears it, the
        # memo goes too, and the next move reads the last number again
        cache = self._get_sequence_cache()
        key = (
            FORMAT_MEMO,
            self.journal_id.id,
            self.move_type,
            self.date,
            bool(self.origin_payment_id),
            bool(self.journal_id.refund_sequence),
        )
        if key not in cache:
            cache[key] = super()._get_next_sequence_format()
        format_string, format_values = cache[key]
        return format_string, dict(format_values)
