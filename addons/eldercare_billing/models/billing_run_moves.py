import logging
from collections import defaultdict

from odoo import models

_logger = logging.getLogger(__name__)


class EldercareBillingRun(models.Model):
    """After the chunks: one subsidy invoice per payer, one bill per provider."""

    _inherit = "eldercare.billing.run"  # pylint: disable=consider-merging-classes-inherited

    def _closed_line_domain(self):
        return [
            ("period", "=", self.period),
            ("company_id", "=", self.company_id.id),
            ("statement_id.state", "=", "invoiced"),
        ]

    def _create_subsidy_invoices(self):
        """One invoice per subsidy payer, one line per elder (idempotent)."""
        Line = self.env["eldercare.statement.line"]
        domain = [
            *self._closed_line_domain(),
            ("subsidy_move_id", "=", False),
            ("amount_subsidy", ">", 0),
        ]
        groups = Line._read_group(
            domain,
            ["payer_id", "partner_id", "elder_category_id"],
            ["amount_subsidy:sum", "__count"],
            order="payer_id, partner_id",
        )
        per_payer = defaultdict(list)
        # a subsidy pays for elderly care services: no VAT (the exempt tax)
        exempt = self.env["product.template"]._eldercare_treatment_taxes(
            "exempt", self.company_id
        )[0]
        for payer, elder, category, amount, count in groups:
            per_payer[payer].append(
                {
                    "product_id": False,
                    "name": self.env._(
                        "%(elder)s (%(category)s), %(period)s: %(count)s "
                        "service(s) subsidised",
                        elder=elder.name,
                        category=category.name or "-",
                        period=self.period,
                        count=count,
                    ),
                    "quantity": 1.0,
                    "price_unit": self.currency_id.round(amount),
                    "tax_ids": exempt.ids,
                }
            )
        return self._create_grouped_moves(
            per_payer,
            {
                "move_type": "out_invoice",
                "journal_id": self.company_id._eldercare_sale_journal().id,
                "ref": self.env._("Eldercare subsidies %(period)s", period=self.period),
                "eldercare_billing_kind": "subsidy",
            },
            domain,
            "payer_id",
            "subsidy_move_id",
            self.company_id.eldercare_sale_tax_ids,
        )

    def _create_vendor_bills(self):
        """One bill per provider for what it delivered, at its contracted price."""
        Line = self.env["eldercare.statement.line"]
        domain = [*self._closed_line_domain(), ("vendor_bill_id", "=", False)]
        groups = Line._read_group(
            domain,
            ["provider_id", "product_id", "price_unit_contract"],
            ["quantity:sum", "__count"],
            order="provider_id, product_id",
        )
        per_provider = defaultdict(list)
        for provider, product, price, qty, count in groups:
            per_provider[provider].append(
                {
                    "product_id": product.id,
                    "name": self.env._(
                        "%(service)s, %(period)s: %(count)s work order(s)",
                        service=product.name,
                        period=self.period,
                        count=count,
                    ),
                    "quantity": qty,
                    "price_unit": price,
                }
            )
        return self._create_grouped_moves(
            per_provider,
            {
                "move_type": "in_invoice",
                "journal_id": self.company_id._eldercare_purchase_journal().id,
                "ref": self.env._("Eldercare services %(period)s", period=self.period),
                "eldercare_billing_kind": "provider",
            },
            domain,
            "provider_id",
            "vendor_bill_id",
            self.company_id.eldercare_purchase_tax_ids,
        )

    def _create_grouped_moves(
        self, per_partner, header, domain, group_field, link_field, taxes
    ):
        """Post one move per partner of ``per_partner`` ({partner: lines}), with
        ``header`` and the partner's payment terms, and link the statement lines.

        All together when possible; if that fails, partner by partner so that a
        bad payer or provider is reported without blocking the others.
        """
        Move = self.env["account.move"]
        if not per_partner:
            return Move
        Line = self.env["eldercare.statement.line"]
        line_ids = defaultdict(list)
        for line in Line.search_fetch(domain, [group_field]):
            line_ids[line[group_field].id].append(line.id)
        company = self.company_id
        documents = [
            (
                partner,
                dict(
                    header,
                    partner_id=partner.id,
                    invoice_payment_term_id=company._eldercare_payment_term(
                        header["eldercare_billing_kind"], partner
                    ).id,
                    company_id=company.id,
                    invoice_date=self.date_to,
                    date=self.date_to,
                    eldercare_period=self.period,
                    eldercare_run_id=self.id,
                ),
                lines,
            )
            for partner, lines in per_partner.items()
        ]

        def post(batch):
            moves = Move._eldercare_create_posted(
                [(vals, lines) for _p, vals, lines in batch],
                self.company_id,
                taxes,
            )
            for (partner, _header, _lines), move in zip(batch, moves, strict=True):
                Line.browse(line_ids[partner.id]).write({link_field: move.id})
            return moves

        try:
            with self.env.cr.savepoint():
                return post(documents)
        except Exception:
            _logger.warning("Month end %s: grouped %s failed", self.period, link_field)
        moves = Move
        for document in documents:
            partner = document[0]
            try:
                with self.env.cr.savepoint():
                    moves |= post([document])
            except Exception as err:
                self._add_problems(
                    [
                        (
                            partner.id,
                            self.env._(
                                "%(partner)s: invoice or bill failed: %(error)s",
                                partner=partner.name,
                                error=err,
                            ),
                        )
                    ]
                )
        return moves
