"""The satisfaction survey call: "rate the service 1 to 5"."""

from datetime import timedelta

from markupsafe import escape

from odoo import _, api, models

SCORES = ("1", "2", "3", "4", "5")
LOW_SCORE = 2


class EldercareCareCall(models.Model):
    _inherit = "eldercare.care.call"

    @api.model
    def _survey_delay(self):
        """Time between the order's completion and the survey call."""
        return timedelta(minutes=self._param("survey_delay_minutes", 60))

    def _care_prompt_survey(self):
        product = self.product_id.with_context(lang=self._care_say_lang())
        prompt = "&".join(
            [
                "eldercare/survey-intro",
                "{say}",
                "eldercare/survey-done",
                "eldercare/survey-ask",
            ]
        )
        return prompt, product.name or ""

    def _care_due_survey(self):
        order = self.work_order_id.sudo()
        return order.state in ("done", "verified") and not order.satisfaction

    def _care_answered_survey(self, digit):
        """1-5 lands on the work order (and so on its provider's rating);
        2 or less asks the coordinator to follow up. Another key: call again."""
        if digit not in SCORES:
            return False
        score = int(digit)
        self.score = score
        order = self.work_order_id.sudo()
        if not order:
            return True
        if order.satisfaction:
            self.note = _(
                "The elder answered %(score)s, but a satisfaction (%(recorded)s) "
                "was already recorded by hand: it was kept.",
                score=score,
                recorded=order.satisfaction,
            )
            return True
        order.with_context(eldercare_survey_call=True).write({"satisfaction": digit})
        order.message_post(
            body=_(
                "Phone survey: %(elder)s rated the service %(score)s out of 5.",
                elder=order.elder_id.name,
                score=score,
            ),
            subtype_xmlid="mail.mt_note",
        )
        if score <= LOW_SCORE:
            user = order._eldercare_coordinators().get(order.id)
            self._eldercare_followup(
                order,
                user[:1] if user else user,
                _(
                    "Low satisfaction (%(score)s/5): %(order)s",
                    score=score,
                    order=order.name,
                ),
                escape(
                    _(
                        "%(elder)s rated %(service)s by %(provider)s %(score)s out "
                        "of 5 on the phone survey: call them back, find out what "
                        "went wrong and tell the provider.",
                        elder=order.elder_id.name,
                        service=order.product_id.name,
                        provider=order.provider_id.name or _("the assignee"),
                        score=score,
                    )
                ),
            )
        return True
