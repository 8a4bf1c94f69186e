from odoo import models

STATEMENT_LIMIT = 12


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _eldercare_family_sections(self, relative):
        return [
            *super()._eldercare_family_sections(relative),
            self._eldercare_family_section(
                30,
                "statements",
                "eldercare_family_billing.portal_family_section_statements",
                {"statements": self._eldercare_family_statements()},
            ),
        ]

    def _eldercare_family_statement_domain(self):
        """Statements a relative may read: confirmed or invoiced ones."""
        self.ensure_one()
        return [
            ("partner_id", "=", self.id),
            ("state", "in", ("confirmed", "invoiced")),
        ]

    def _eldercare_family_statement_records(self):
        return (
            self.env["eldercare.statement"]
            .sudo()
            .search(
                self._eldercare_family_statement_domain(),
                order="period desc, id desc",
                limit=STATEMENT_LIMIT,
            )
        )

    def _eldercare_family_statements(self):
        Statement = self.env["eldercare.statement"]
        payment = dict(
            Statement._fields["payment_state"]._description_selection(self.env)
        )
        return [
            {
                "id": statement.id,
                "name": statement.name,
                "period": statement.period,
                "amount_total": statement.amount_total,
                "amount_elder": statement.amount_elder,
                "amount_subsidy": statement.amount_subsidy,
                "amount_residual": statement.amount_residual,
                "currency": statement.currency_id,
                "payment_state": statement.payment_state or "none",
                "payment_label": payment.get(statement.payment_state, ""),
                "paid": statement.payment_state in ("paid", "in_payment"),
            }
            for statement in self._eldercare_family_statement_records()
        ]
