from odoo import models


class EldercareStatement(models.Model):
    _inherit = "eldercare.statement"  # pylint: disable=consider-merging-classes-inherited

    def _eldercare_send_sms(self, numbers, body):
        """Billing's SMS hook (payment reminders) through the Kannel gateway:
        queued ``sms.sms`` on this statement; nothing without a gateway."""
        self.ensure_one()
        sms_model = self.env["sms.sms"].sudo()
        if not numbers or not sms_model._eldercare_kannel_config():
            return []
        template = self.env.ref("eldercare_sms_billing.sms_template_statement_ready")
        sms_model.create(
            [
                {
                    "number": number,
                    "partner_id": self.partner_id.id,
                    "body": body,
                    "eldercare_not_before": template._eldercare_quiet_until(),
                    "eldercare_res_model": self._name,
                    "eldercare_res_id": self.id,
                }
                for number in numbers
            ]
        )
        return list(numbers)

    def _eldercare_send_statement_notice(self, numbers, body):
        """The statement-ready SMS went out when the statement was invoiced
        (``_eldercare_sms_statement_ready``): report those numbers, text
        nobody twice."""
        self.ensure_one()
        template = self.env.ref("eldercare_sms_billing.sms_template_statement_ready")
        self._eldercare_sms_statement_ready()  # idempotent: only the missing ones
        texted = (
            self.env["sms.sms"]
            .sudo()
            .search(
                [
                    ("eldercare_template_id", "=", template.id),
                    ("eldercare_res_model", "=", self._name),
                    ("eldercare_res_id", "=", self.id),
                    ("state", "not in", ("error", "canceled")),
                ]
            )
        )
        return texted.mapped("number")
