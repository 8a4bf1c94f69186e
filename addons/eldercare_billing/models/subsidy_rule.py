from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class EldercareSubsidyRule(models.Model):
    """Who pays which part of a service for which kind of elder.

    A rule applies to the elders of one category, optionally only to some service
    products or to a product category, between two dates.  It pays a percentage of
    every line (100 % for free categories such as 五保) up to an optional monthly cap
    per elder.  The subsidy payer (street office, civil affairs bureau...) receives
    the subsidy invoice.
    """

    _name = "eldercare.subsidy.rule"
    _description = "Subsidy Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    elder_category_id = fields.Many2one(
        "eldercare.elder.category",
        required=True,
        index=True,
        help="Elders of this category benefit from the rule.",
    )
    product_ids = fields.Many2many(
        "product.product",
        string="Services",
        domain="[('is_eldercare_service', '=', True)]",
        help="Leave empty (and no product category) to cover every service.",
    )
    product_categ_id = fields.Many2one(
        "product.category",
        string="Service Category",
        help="The rule covers every service of this category (and sub-categories).",
    )
    percentage = fields.Float(
        string="Subsidy %",
        default=100.0,
        digits=(5, 2),
        help="Share of every line paid by the payer (100 for free categories).",
    )
    monthly_cap = fields.Monetary(
        currency_field="currency_id",
        help="Maximum subsidy per elder and month under this rule; 0 means no cap. "
        "Once exhausted, the rest of the month is paid by the elder.",
    )
    date_from = fields.Date(string="Valid From")
    date_to = fields.Date(string="Valid To")
    payer_id = fields.Many2one(
        "res.partner",
        string="Subsidy Payer",
        index=True,
        help="Receives the subsidy invoice, e.g. the street office or the civil "
        "affairs bureau.",
    )
    note = fields.Text()

    _sql_constraints = [
        (
            "percentage_range",
            "CHECK(percentage >= 0 AND percentage <= 100)",
            "The subsidy percentage must be between 0 and 100.",
        ),
        (
            "cap_positive",
            "CHECK(monthly_cap IS NULL OR monthly_cap >= 0)",
            "The monthly cap cannot be negative.",
        ),
    ]

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for rule in self:
            if rule.date_from and rule.date_to and rule.date_from > rule.date_to:
                raise ValidationError(
                    _(
                        "Subsidy rule %(rule)s ends before it starts.",
                        rule=rule.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # Pricing engine (batch friendly: load once, split many lines)
    # ------------------------------------------------------------------
    @api.model
    def _prepare_rule_table(self, company, date_from, date_to):
        """Load every rule that may apply in [date_from, date_to] once.

        Returns {elder_category_id: [rule_dict, ...]} sorted by priority, where a
        rule_dict is a plain dict so that splitting lines never touches the ORM.
        """
        rules = self.with_context(active_test=True).search(
            [
                ("company_id", "=", company.id),
                "|",
                ("date_from", "=", False),
                ("date_from", "<=", date_to),
                "|",
                ("date_to", "=", False),
                ("date_to", ">=", date_from),
            ]
        )
        table = {}
        for rule in rules:
            specificity = 2 if rule.product_ids else (1 if rule.product_categ_id else 0)
            table.setdefault(rule.elder_category_id.id, []).append(
                {
                    "id": rule.id,
                    "name": rule.name,
                    "sequence": rule.sequence,
                    "specificity": specificity,
                    "product_ids": set(rule.product_ids.ids),
                    "categ_path": rule.product_categ_id.parent_path or "",
                    "percentage": rule.percentage,
                    "cap": rule.monthly_cap or 0.0,
                    "payer_id": rule.payer_id.id,
                    "date_from": rule.date_from,
                    "date_to": rule.date_to,
                }
            )
        for rule_list in table.values():
            rule_list.sort(key=lambda r: (-r["specificity"], r["sequence"], r["id"]))
        return table

    @api.model
    def _match_rule(self, rule_list, product_id, categ_path, date):
        """Most specific rule of ``rule_list`` covering the product at ``date``."""
        for rule in rule_list or ():
            if rule["date_from"] and date < rule["date_from"]:
                continue
            if rule["date_to"] and date > rule["date_to"]:
                continue
            if rule["product_ids"]:
                if product_id not in rule["product_ids"]:
                    continue
            elif rule["categ_path"] and not (categ_path or "").startswith(
                rule["categ_path"]
            ):
                continue
            return rule
        return None

    @api.model
    def _split_lines(self, currency, rule_list, lines):
        """Split priced lines of ONE elder for ONE month into elder/subsidy shares.

        ``lines`` are dicts with keys product_id, categ_path, date, amount (already
        rounded).  They are processed in date order so that a monthly cap exhausted
        mid-month moves the remainder of the month to the elder share.  Adds keys
        amount_subsidy, amount_elder, subsidy_rule_id, payer_id to every line (in place)
        and returns the list of problems found (a rule without payer...).
        """
        problems = []
        cap_used = {}
        for line in sorted(lines, key=lambda ln: (ln["date"], ln.get("sequence", 0))):
            amount = line["amount"]
            rule = self._match_rule(
                rule_list, line["product_id"], line["categ_path"], line["date"]
            )
            subsidy = 0.0
            if rule:
                if not rule["payer_id"]:
                    problems.append(
                        _(
                            "Subsidy rule %(rule)s has no subsidy payer.",
                            rule=rule["name"],
                        )
                    )
                    rule = None
                else:
                    subsidy = currency.round(amount * rule["percentage"] / 100.0)
                    if rule["cap"]:
                        left = currency.round(
                            rule["cap"] - cap_used.get(rule["id"], 0.0)
                        )
                        subsidy = max(0.0, min(subsidy, left))
                        cap_used[rule["id"]] = cap_used.get(rule["id"], 0.0) + subsidy
            line["amount_subsidy"] = subsidy
            line["amount_elder"] = currency.round(amount - subsidy)
            line["subsidy_rule_id"] = rule["id"] if rule else False
            line["payer_id"] = rule["payer_id"] if rule else False
        return problems
