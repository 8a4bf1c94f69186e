from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.service_request import SATISFACTION_SELECTION

LOW_SCORE = 2


class EldercareSatisfactionWizard(models.TransientModel):
    _name = "eldercare.satisfaction.wizard"
    _description = "Record Household Service Satisfaction"

    work_order_id = fields.Many2one(
        "eldercare.work.order", required=True, ondelete="cascade"
    )
    request_id = fields.Many2one(
        related="work_order_id.request_id", string="Service Request"
    )
    elder_id = fields.Many2one(related="work_order_id.elder_id")
    provider_id = fields.Many2one(related="work_order_id.provider_id")
    product_id = fields.Many2one(related="work_order_id.product_id")
    satisfaction = fields.Selection(SATISFACTION_SELECTION, required=True)
    feedback = fields.Text(help="What the elder said on the follow-up call.")
    is_low_score = fields.Boolean(compute="_compute_is_low_score")

    @api.depends("satisfaction")
    def _compute_is_low_score(self):
        for wiz in self:
            wiz.is_low_score = bool(wiz.satisfaction) and int(wiz.satisfaction) <= (
                LOW_SCORE
            )

    def action_confirm(self):
        self.ensure_one()
        order = self.work_order_id
        if order.state not in ("done", "verified"):
            raise UserError(
                self.env._(
                    "Satisfaction is recorded after the visit: work order "
                    "%(order)s is not finished yet.",
                    order=order.name,
                )
            )
        order.write({"satisfaction": self.satisfaction, "feedback": self.feedback})
        request = order.request_id
        if request:
            request.write(
                {
                    "satisfaction": self.satisfaction,
                    "satisfaction_feedback": self.feedback,
                    "satisfaction_date": fields.Datetime.now(),
                    "satisfaction_user_id": self.env.user.id,
                }
            )
            request.activity_feedback(
                ["eldercare_household.mail_activity_satisfaction_call"],
                feedback=dict(SATISFACTION_SELECTION)[self.satisfaction],
            )
        if self.is_low_score:
            self._schedule_low_score_activity()
        return {"type": "ir.actions.act_window_close"}

    def _get_low_score_responsible(self):
        company = self.work_order_id.company_id or self.env.company
        responsible = company.eldercare_satisfaction_user_id
        if responsible:
            return responsible
        supervisors = self.env["res.users"]._eldercare_supervisors()
        return supervisors.filtered(lambda u: company in u.company_ids).sorted("id")[:1]

    def _schedule_low_score_activity(self):
        responsible = self._get_low_score_responsible()
        order = self.work_order_id
        record = order.request_id or order
        label = dict(SATISFACTION_SELECTION)[self.satisfaction]
        note = self.env._(
            "%(elder)s rated %(service)s by %(provider)s (%(order)s): %(score)s. "
            "Feedback: %(feedback)s",
            elder=order.elder_id.name or "",
            service=order.product_id.display_name or "",
            provider=order.provider_id.display_name or "",
            order=order.name,
            score=label,
            feedback=self.feedback or "-",
        )
        record.message_post(body=note, subtype_xmlid="mail.mt_note")
        record.sudo().activity_schedule(
            "eldercare_household.mail_activity_low_satisfaction",
            user_id=(responsible or self.env.user).id,
            note=note,
        )
