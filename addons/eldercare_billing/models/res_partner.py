from odoo import _, api, fields, models

from odoo.addons.eldercare_base.tools import count_into


class ResPartner(models.Model):
    _inherit = "res.partner"

    is_subsidy_payer = fields.Boolean(
        string="Subsidy Payer",
        help="A government body (street office, civil affairs bureau...) that pays "
        "subsidies for elders.",
    )
    eldercare_statement_ids = fields.One2many(
        "eldercare.statement", "partner_id", string="Statements"
    )
    eldercare_statement_count = fields.Integer(
        compute="_compute_eldercare_statement_count", string="Statement Count"
    )
    eldercare_month_due = fields.Monetary(
        compute="_compute_eldercare_month_due",
        string="Due This Month",
        currency_field="eldercare_currency_id",
        help="Elder share of this month's services so far.",
    )
    eldercare_currency_id = fields.Many2one(
        "res.currency", compute="_compute_eldercare_month_due"
    )
    eldercare_reminder_channel = fields.Selection(
        [("call", "Phone Call"), ("sms", "SMS")],
        string="Payment Reminder By",
        default="call",
        help="How the elder is reminded of an unpaid statement (once per month). "
        "Without an SMS gateway an SMS reminder becomes a call.",
    )

    def _compute_eldercare_statement_count(self):
        count_into(
            self, "eldercare_statement_count", "eldercare.statement", "partner_id"
        )

    def _compute_eldercare_month_due(self):
        Statement = self.env["eldercare.statement"]
        for partner in self:
            partner.eldercare_currency_id = self.env.company.currency_id
            if partner.is_elder and partner.id:
                partner.eldercare_month_due = Statement._running_total(partner)[
                    "amount_elder"
                ]
            else:
                partner.eldercare_month_due = 0.0

    def action_eldercare_statements(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "eldercare_billing.eldercare_statement_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    def action_eldercare_running_statement(self):
        """Open this month's running statement (instant query)."""
        self.ensure_one()
        preview = self.env["eldercare.statement.preview"].create(
            {"partner_id": self.id}
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("This Month So Far"),
            "res_model": "eldercare.statement.preview",
            "res_id": preview.id,
            "view_mode": "form",
            "target": "new",
        }

    # ----------------------------------------------------------- reminders
    @api.model
    def _eldercare_payment_reminder_partners(self, date=None):
        """Elders with a payment reminder call due on ``date`` (see
        ``eldercare.statement._give_payment_reminders``)."""
        res = super()._eldercare_payment_reminder_partners(date=date)
        day = date or fields.Date.context_today(self)
        return res | self.env["eldercare.statement"]._payment_reminder_partners(day)

    @api.model
    def _cron_eldercare_care_reminders(self, date=None):
        # decide today's payment reminders before base schedules the activities
        self.env["eldercare.statement"]._give_payment_reminders(date=date)
        return super()._cron_eldercare_care_reminders(date=date)
