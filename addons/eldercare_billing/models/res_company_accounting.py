from odoo import fields, models

TERM_XMLIDS = {
    "elder": "eldercare_billing.payment_term_elder",
    "subsidy": "eldercare_billing.payment_term_subsidy",
    "provider": "eldercare_billing.payment_term_provider",
}


# the accounting settings of a Chinese center (payment terms), kept apart from
# res_company.py (journals, taxes, chunking) which another change set owns
class ResCompany(models.Model):
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    eldercare_elder_payment_term_id = fields.Many2one(
        "account.payment.term",
        string="Elder Invoice Payment Terms",
        help="Due date of the elder-share invoices (default: 15 days). An elder's "
        "own customer payment terms take precedence.",
    )
    eldercare_subsidy_payment_term_id = fields.Many2one(
        "account.payment.term",
        string="Subsidy Invoice Payment Terms",
        help="Due date of the subsidy invoices (default: 60 days). A payer's own "
        "customer payment terms take precedence.",
    )
    eldercare_provider_payment_term_id = fields.Many2one(
        "account.payment.term",
        string="Provider Bill Payment Terms",
        help="Due date of the provider bills (default: 30 days). A provider's own "
        "vendor payment terms take precedence.",
    )

    def _eldercare_payment_term(self, kind, partner):
        """Payment terms of an eldercare invoice (kind elder/subsidy) or bill
        (provider) to ``partner``: the partner's, else the company's, else the
        shipped default."""
        self.ensure_one()
        partner = partner.with_company(self)
        own = (
            partner.property_supplier_payment_term_id
            if kind == "provider"
            else partner.property_payment_term_id
        )
        return (
            own
            or self[f"eldercare_{kind}_payment_term_id"]
            # ormcached look-up: no query per invoice (env.ref checks exists())
            or self.env["account.payment.term"].browse(
                self.env["ir.model.data"]._xmlid_to_res_id(
                    TERM_XMLIDS[kind], raise_if_not_found=False
                )
                or ()
            )
        )
