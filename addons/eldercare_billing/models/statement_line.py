from odoo import api, fields, models

from .statement import STATEMENT_COPIED_FIELDS


class EldercareStatementLine(models.Model):
    _name = "eldercare.statement.line"
    _description = "Elder Statement Line"
    _order = "date, id"
    _check_company_auto = True

    statement_id = fields.Many2one(
        "eldercare.statement", required=True, ondelete="cascade", index=True
    )
    # copies of the statement's values (kept in sync by the statement's write):
    # plain stored fields are much cheaper than related ones for 80,000 lines
    partner_id = fields.Many2one(
        "res.partner", string="Elder", index=True, readonly=True
    )
    period = fields.Char(index=True, readonly=True)
    company_id = fields.Many2one("res.company", index=True, readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    community_id = fields.Many2one("eldercare.area", readonly=True)
    elder_category_id = fields.Many2one("eldercare.elder.category", readonly=True)
    statement_state = fields.Selection(related="statement_id.state")
    work_order_id = fields.Many2one(
        "eldercare.work.order", required=True, index=True, ondelete="restrict"
    )
    date = fields.Date(required=True)
    product_id = fields.Many2one("product.product", string="Service", required=True)
    provider_id = fields.Many2one("res.partner", index=True)
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure")
    price_unit = fields.Float(digits="Product Price")
    price_unit_contract = fields.Float(
        string="Provider Price",
        digits="Product Price",
        help="Contracted price paid to the provider.",
    )
    amount = fields.Monetary(aggregator="sum")
    amount_elder = fields.Monetary(string="Elder Share", aggregator="sum")
    amount_subsidy = fields.Monetary(string="Subsidy Share", aggregator="sum")
    amount_cost = fields.Monetary(string="Provider Amount", aggregator="sum")
    subsidy_rule_id = fields.Many2one("eldercare.subsidy.rule")
    payer_id = fields.Many2one("res.partner", string="Subsidy Payer", index=True)
    subsidy_move_id = fields.Many2one(
        "account.move", string="Subsidy Invoice", copy=False, index="btree_not_null"
    )
    vendor_bill_id = fields.Many2one(
        "account.move", string="Provider Bill", copy=False, index="btree_not_null"
    )

    _sql_constraints = [
        (
            "work_order_uniq",
            "UNIQUE(work_order_id)",
            "A work order is billed only once.",
        ),
        (
            "shares_sum",
            "CHECK(ABS(COALESCE(amount, 0) - COALESCE(amount_elder, 0) "
            "- COALESCE(amount_subsidy, 0)) < 0.000001)",
            "Elder share and subsidy share must add up to the line amount.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        statements = self.env["eldercare.statement"].browse(
            {vals["statement_id"] for vals in vals_list if vals.get("statement_id")}
        )
        statements.fetch(STATEMENT_COPIED_FIELDS)
        for vals in vals_list:
            if not vals.get("statement_id"):
                continue
            statement = statements.browse(vals["statement_id"])
            for fname in STATEMENT_COPIED_FIELDS:
                if fname not in vals:
                    value = statement[fname]
                    vals[fname] = (
                        value.id if isinstance(value, models.BaseModel) else value
                    )
        return super().create(vals_list)
