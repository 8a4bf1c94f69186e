from odoo import models


class EldercareStatement(models.Model):
    _inherit = "eldercare.statement"

    def _create_elder_invoices(self, run=None):
        moves = super()._create_elder_invoices(run=run)
        self.filtered(lambda s: s.state == "invoiced")._eldercare_sms_statement_ready()
        return moves

    def _eldercare_sms_statement_ready(self):
        """Text each elder and their emergency-contact relatives that the
        statement is ready (once per statement and number; opt-out and quiet
        hours apply). Works on the whole batch. Returns the sms.sms queued."""
        template = self.env.ref("eldercare_sms_billing.sms_template_statement_ready")
        pairs = []
        for statement in self:
            elder = statement.partner_id.sudo()
            family = elder.relative_ids.filtered("is_emergency_contact")
            pairs.append((statement, [elder, family]))
        return template._eldercare_send_many(pairs)
