from odoo import models


class EldercareProviderStaff(models.Model):
    _inherit = "eldercare.provider.staff"

    def _eldercare_sms_recipients(self):
        provider_lang = {staff.id: staff.provider_id.lang for staff in self}
        return [
            {
                "number": staff.phone or False,
                "lang": provider_lang[staff.id],
                "opt_out": staff.provider_id.eldercare_sms_opt_out,
                "partner_id": staff.provider_id.id,
                "relative_id": False,
            }
            for staff in self
        ]


class EldercareWorkOrder(models.Model):
    _inherit = "eldercare.work.order"

    def _notify_assignee(self):
        res = super()._notify_assignee()
        self._eldercare_sms_provider_new_order()
        return res

    def _eldercare_sms_provider_new_order(self):
        """Text the provider (its staff member when one is chosen) the new order."""
        template = self.env.ref(
            "eldercare_sms.sms_template_work_order_provider", raise_if_not_found=False
        )
        messages = self.env["sms.sms"]
        if not template:
            return messages
        for order in self.filtered("provider_id"):
            staff = order.staff_id if order.staff_id.phone else False
            recipient = staff or order.provider_id
            messages |= template._eldercare_send(order, recipient)
        return messages
