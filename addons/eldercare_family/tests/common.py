from datetime import datetime, timedelta

from odoo import Command, fields

from odoo.addons.eldercare_base.tests.common import EldercareCommon


class FamilyCommon(EldercareCommon):
    """Two elders; the son of elder A has a family portal login."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = cls._user(
            "fam_operator", "base.group_user,eldercare_base.group_eldercare_operator"
        )
        cls.son = cls.elder_a.relative_ids  # 王建国
        cls.son.email = "wangjianguo@example.com"
        cls.son.with_user(cls.operator).action_eldercare_invite_portal()
        cls.relative_user = cls.son.portal_user_id
        cls.relative_user.password = "fam_relative_pw"
        cls.relative_login = cls.relative_user.login
        cls.elder_b.relative_ids = [
            Command.create(
                {"name": "李小红", "relation": "daughter", "phone": "13922223333"}
            )
        ]
        now = fields.Datetime.now()
        WorkOrder = cls.env["eldercare.work.order"]
        cls.visit_upcoming = WorkOrder.create(
            {
                "elder_id": cls.elder_a.id,
                "product_id": cls.nanny.id,
                "date_scheduled": now + timedelta(days=2),
            }
        )
        cls.visit_past = WorkOrder.create(
            {
                "elder_id": cls.elder_a.id,
                "product_id": cls.plumbing.id,
                "date_scheduled": datetime(2026, 1, 5, 2),
            }
        )
        cls.visit_other = WorkOrder.create(
            {
                "elder_id": cls.elder_b.id,
                "product_id": cls.gas.id,
                "date_scheduled": now + timedelta(days=1),
            }
        )
