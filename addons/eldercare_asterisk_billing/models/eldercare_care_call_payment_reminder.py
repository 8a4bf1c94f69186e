"""The payment reminder call (kind ``payment``) of a statement."""

from markupsafe import escape

from odoo import _, fields, models

from odoo.addons.eldercare_billing.models.statement import UNPAID_STATES

from .eldercare_statement_reminder import amount_prompts

CALL_BACK_DIGIT = "1"


class EldercareCareCall(models.Model):
    _inherit = "eldercare.care.call"

    kind = fields.Selection(
        selection_add=[("payment", "Payment Reminder")],
        ondelete={"payment": "cascade"},
    )
    statement_id = fields.Many2one(
        "eldercare.statement",
        index="btree_not_null",
        ondelete="cascade",
        readonly=True,
        check_company=True,
    )

    def _care_prompt_payment(self):
        amount = self.statement_id.sudo().amount_residual
        prompt = [
            "eldercare/reminder-payment",
            *amount_prompts(amount),
            "eldercare/reminder-payment-ask",
        ]
        return "&".join(prompt), ""

    def _care_due_payment(self):
        return self.statement_id.sudo().payment_state in UNPAID_STATES

    def _care_answered_payment(self, digit):
        """The reminder was heard; 1 = please call me back about the bill."""
        statement = self.statement_id.sudo()
        if digit == CALL_BACK_DIGIT:
            self._eldercare_followup(
                statement,
                self._eldercare_elder_followup_user(),
                _(
                    "%(elder)s asks to be called back about statement %(period)s",
                    elder=statement.partner_id.name,
                    period=statement.period,
                ),
                escape(
                    _(
                        "At the payment reminder call (%(amount).2f still due), "
                        "%(elder)s pressed 1: please call them back.",
                        amount=statement.amount_residual,
                        elder=statement.partner_id.name,
                    )
                ),
            )
        statement.message_post(
            body=_(
                "Payment reminder call answered by %(elder)s (%(amount).2f due).",
                elder=statement.partner_id.name,
                amount=statement.amount_residual,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def _care_subject(self):
        return self.statement_id or super()._care_subject()
