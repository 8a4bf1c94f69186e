from odoo import api, models


class IrSequence(models.Model):
    _inherit = "ir.sequence"

    @api.model
    def _eldercare_next_batch(self, code, count):
        """``count`` references of the sequence ``code``, in one query for batches.

        Month-end runs and the recurring-need cron name thousands of records at
        once; a standard (no-gap-free) sequence gives them in a single SELECT.
        """
        if not count:
            return []
        sequence = self.sudo().search(
            [
                ("code", "=", code),
                ("company_id", "in", [self.env.company.id, False]),
            ],
            order="company_id",
            limit=1,
        )
        if not sequence:
            return ["/"] * count
        if (
            sequence.implementation != "standard"
            or sequence.use_date_range
            or count < 5
        ):
            return [sequence.next_by_id() for _i in range(count)]
        self.env.cr.execute(
            "SELECT nextval(%s) FROM generate_series(1, %s)",
            (f"ir_sequence_{sequence.id:03d}", count),
        )
        return [sequence.get_next_char(row[0]) for row in self.env.cr.fetchall()]

    @api.model
    def _eldercare_fill_names(self, code, vals_list, placeholder="/"):
        """Give every record of ``vals_list`` still named ``placeholder`` (or
        unnamed) a reference of the sequence ``code``, in one query for a
        batch. Without that sequence the placeholder stays."""
        unnamed = [v for v in vals_list if v.get("name", placeholder) == placeholder]
        names = self._eldercare_next_batch(code, len(unnamed))
        for vals, name in zip(unnamed, names, strict=True):
            vals["name"] = name if name != "/" else placeholder
        return vals_list
