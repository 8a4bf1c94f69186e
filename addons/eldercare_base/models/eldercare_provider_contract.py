from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError


class EldercareProviderContract(models.Model):
    """Service contract between the center and a provider."""

    _name = "eldercare.provider.contract"
    _description = "Provider Service Contract"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Contract Reference", required=True, tracking=True)
    provider_id = fields.Many2one(
        "res.partner",
        required=True,
        index=True,
        tracking=True,
        domain=[("is_eldercare_provider", "=", True)],
        ondelete="restrict",
    )
    date_start = fields.Date(
        string="Start Date",
        required=True,
        default=fields.Date.context_today,
        tracking=True,
    )
    date_end = fields.Date(string="End Date", tracking=True)
    state = fields.Selection(
        [("draft", "Draft"), ("active", "Active"), ("expired", "Expired")],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
    )
    document = fields.Binary(string="Signed Document", attachment=True, copy=False)
    document_name = fields.Char()
    line_ids = fields.One2many(
        "eldercare.provider.contract.line",
        "contract_id",
        string="Service Items",
        copy=True,
    )
    area_ids = fields.Many2many(
        "eldercare.area",
        "eldercare_contract_area_rel",
        "contract_id",
        "area_id",
        string="Service Areas",
        help="Communities covered; a street, district or city covers all its "
        "communities.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    note = fields.Html()
    max_open_orders = fields.Integer(
        string="Capacity (open orders)",
        help="Most work orders the provider may have open (assigned, accepted or "
        "in progress) at once; automatic dispatch skips it when it is full. "
        "0 means no limit.",
    )

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for contract in self:
            if contract.date_end and contract.date_end < contract.date_start:
                raise ValidationError(
                    _(
                        "The contract %(name)s ends before it starts.",
                        name=contract.name,
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_active(self):
        if any(contract.state == "active" for contract in self):
            raise UserError(_("An active contract cannot be deleted: expire it first."))

    def action_activate(self):
        for contract in self:
            if contract.state != "draft":
                raise UserError(
                    _(
                        "Only a draft contract can be activated (%(name)s).",
                        name=contract.name,
                    )
                )
            if not contract.line_ids:
                raise UserError(
                    _(
                        "Add at least one service item with its price before "
                        "activating the contract %(name)s.",
                        name=contract.name,
                    )
                )
            if not contract.area_ids:
                raise UserError(
                    _(
                        "Add the service areas covered before activating the "
                        "contract %(name)s.",
                        name=contract.name,
                    )
                )
        self.write({"state": "active"})

    def action_expire(self):
        self.write({"state": "expired"})

    def action_reset_draft(self):
        self.write({"state": "draft"})

    @api.model
    def _cron_expire_contracts(self):
        today = fields.Date.context_today(self)
        expired = self.search([("state", "=", "active"), ("date_end", "<", today)])
        expired.action_expire()
        return len(expired)

    @api.model
    def _find_eligible_cached(self, cache, product, community, day, company):
        """:meth:`_find_eligible` remembered in ``cache``, a dict the caller
        keeps for one batch: ``{provider id: contract line}``, cheapest first."""
        key = (product.id, community.id, day, company.id)
        if key not in cache:
            cache[key] = {
                provider.id: line
                for provider, line in self._find_eligible(
                    product, community, day, company
                )
            }
        return cache[key]

    @api.model
    def _find_eligible(self, product, community, date=None, company=None):
        """Providers that may serve ``product`` in ``community`` on ``date``.

        Returns a list of (provider partner, contract line) cheapest first,
        one entry per provider: providers with an active contract valid on
        that date, with a line for the product, whose service areas contain
        the community (the community itself or one of its ancestors).
        ``company`` limits the search to the contracts of that company
        (default: the companies of the current environment).
        """
        if not product or not community:
            return []
        date = fields.Date.to_date(date) if date else fields.Date.context_today(self)
        area_ids = list(community.sudo()._get_ancestor_ids())
        lines = (
            self.env["eldercare.provider.contract.line"]
            .sudo()
            .search(
                [
                    ("product_id", "=", product.id),
                    ("contract_id.state", "=", "active"),
                    ("contract_id.date_start", "<=", date),
                    "|",
                    ("contract_id.date_end", "=", False),
                    ("contract_id.date_end", ">=", date),
                    ("contract_id.area_ids", "in", area_ids),
                    (
                        "contract_id.company_id",
                        "in",
                        company.ids if company else self.env.companies.ids,
                    ),
                    ("contract_id.provider_id.active", "=", True),
                ],
                order="price_unit, id",
            )
        )
        result = []
        seen = set()
        for line in lines:
            provider = line.contract_id.provider_id
            if provider.id in seen:
                continue
            seen.add(provider.id)
            result.append((provider, line))
        return result


class EldercareProviderContractLine(models.Model):
    _name = "eldercare.provider.contract.line"
    _description = "Provider Contract Service Item"
    _order = "contract_id, sequence, id"

    sequence = fields.Integer(default=10)
    contract_id = fields.Many2one(
        "eldercare.provider.contract",
        required=True,
        index=True,
        ondelete="cascade",
    )
    provider_id = fields.Many2one(
        related="contract_id.provider_id", store=True, index=True
    )
    product_id = fields.Many2one(
        "product.product",
        string="Service Item",
        required=True,
        index=True,
        domain=[("is_eldercare_service", "=", True)],
        ondelete="restrict",
    )
    uom_id = fields.Many2one(related="product_id.uom_id")
    price_unit = fields.Float(
        string="Unit Price", digits="Product Price", required=True
    )
    currency_id = fields.Many2one(related="contract_id.currency_id")
    company_id = fields.Many2one(related="contract_id.company_id", store=True)
    max_quantity = fields.Float(
        string="Maximum per Visit",
        help="Highest quantity the provider may report for one visit of this "
        "item. Empty: the maximum of the service item.",
    )

    _sql_constraints = [
        (
            "product_uniq",
            "unique(contract_id, product_id)",
            "A service item can appear only once per contract.",
        ),
        (
            "price_positive",
            "CHECK(price_unit >= 0)",
            "A contract price cannot be negative.",
        ),
        (
            "max_quantity_positive",
            "CHECK(max_quantity IS NULL OR max_quantity >= 0)",
            "The maximum per visit cannot be negative.",
        ),
    ]

    @api.onchange("product_id")
    def _onchange_product_id(self):
        if self.product_id and not self.price_unit:
            self.price_unit = self.product_id.lst_price

    def _get_max_quantity(self, product=None):
        """Maximum quantity per visit: the line's own, else the item's."""
        if self and self.max_quantity:
            return self.max_quantity
        product = product or self.product_id
        return product.eldercare_max_quantity or 0.0

    def _compute_display_name(self):
        for line in self:
            line.display_name = (
                f"{line.product_id.display_name} ({line.price_unit:.2f})"
            )
