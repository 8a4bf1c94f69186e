from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import EldercareCommon


@tagged("post_install", "-at_install")
class TestWorkOrder(EldercareCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = cls._user(
            "wo_operator", "base.group_user,eldercare_base.group_eldercare_operator"
        )

    def _order(self, elder=None, product=None, **vals):
        return (
            self.env["eldercare.work.order"]
            .with_user(self.operator)
            .create(
                {
                    "elder_id": (elder or self.elder_a).id,
                    "product_id": (product or self.plumbing).id,
                    "date_scheduled": datetime(2026, 12, 1, 2, 0),
                    **vals,
                }
            )
        )

    def test_find_eligible_cheapest_first(self):
        Contract = self.env["eldercare.provider.contract"]
        eligible = Contract._find_eligible(self.plumbing, self.community_a)
        self.assertEqual([p for p, _l in eligible], [self.provider_2, self.provider_1])
        self.assertEqual(eligible[0][1].price_unit, 60.0)
        # provider 2 does not cover community B, nobody covers community C
        eligible_b = Contract._find_eligible(self.plumbing, self.community_b)
        self.assertEqual([p for p, _l in eligible_b], [self.provider_1])
        self.assertEqual(Contract._find_eligible(self.plumbing, self.community_c), [])
        # a contract not active or out of its dates does not count
        self.contract_2.date_end = "2021-01-01"
        eligible = Contract._find_eligible(self.plumbing, self.community_a)
        self.assertEqual([p for p, _l in eligible], [self.provider_1])
        self.contract_1.action_expire()
        self.assertEqual(Contract._find_eligible(self.plumbing, self.community_a), [])

    def test_name_and_price_default(self):
        order = self._order(provider_id=self.provider_1.id)
        self.assertTrue(order.name.startswith("WO/"))
        self.assertEqual(order.price_unit, 80.0)
        self.assertEqual(order.amount_total, 80.0)
        order.quantity = 2
        self.assertEqual(order.amount_total, 160.0)
        self.assertEqual(order.community_id, self.community_a)
        self.assertEqual(order.eligible_provider_ids, self.provider_1 | self.provider_2)
        found = self.env["eldercare.work.order"].name_search("张秀英")
        self.assertIn(order.id, [rec_id for rec_id, _name in found])

    def test_ineligible_provider_refused(self):
        with self.assertRaisesRegex(ValidationError, "has no active contract covering"):
            self._order(elder=self.elder_b, provider_id=self.provider_2.id)
        order = self._order(elder=self.elder_c)
        with self.assertRaisesRegex(UserError, "No provider has an active contract"):
            order.action_assign()
        self.assertEqual(order.state, "draft")

    def test_assign_rechecks_expired_contract(self):
        order = self._order(provider_id=self.provider_2.id)
        self.contract_2.action_expire()
        with self.assertRaisesRegex(ValidationError, "has no active contract"):
            order.action_assign()

    def test_assign_proposes_cheapest_and_schedules_activity(self):
        order = self._order(user_id=self.operator.id)
        order.action_assign()
        self.assertEqual(order.state, "assigned")
        self.assertEqual(order.provider_id, self.provider_2)
        self.assertEqual(order.price_unit, 60.0)
        activity = order.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.operator)
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref("eldercare_base.mail_activity_type_work_order"),
        )

    def test_in_house_assignment_needs_an_internal_assignee_and_no_provider(self):
        """The center's own staff (a community worker) does the job: no
        provider is proposed, the assignee gets the to-do."""
        order = self._order(user_id=self.operator.id)
        order.action_assign_in_house()
        self.assertEqual(order.state, "assigned")
        self.assertFalse(order.provider_id, "no provider proposed")
        self.assertEqual(order.activity_ids.user_id, self.operator)
        for vals in ({"user_id": False}, {"provider_id": self.provider_2.id}):
            with self.subTest(vals=vals):
                other = self._order(user_id=self.operator.id)
                other.write(vals)
                with self.assertRaisesRegex(UserError, "cannot be done in house"):
                    other.action_assign_in_house()
                self.assertEqual(other.state, "draft")

    def test_full_lifecycle(self):
        order = self._order(user_id=self.operator.id)
        order.action_assign()
        order.action_accept()
        self.assertEqual(order.state, "accepted")
        order.action_start()
        order.action_done()
        self.assertEqual(order.state, "done")
        self.assertTrue(order.date_end)
        # the to-do is closed when the job is done; "done" is the provider's
        # claim: the coordinator is asked to verify it
        verify = self.env.ref("eldercare_base.mail_activity_type_work_order_verify")
        self.assertEqual(order.activity_ids.activity_type_id, verify)
        self.assertEqual(order.activity_ids.user_id, self.operator)
        order.write({"satisfaction": "5", "feedback": "师傅很耐心"})
        self.assertEqual(order.state, "done", "plumbing is verified by a coordinator")
        order.action_verify()
        self.assertEqual(order.state, "verified")
        self.assertEqual(order.verified_via, "coordinator")
        self.assertEqual(order.verified_user_id, self.operator)
        self.assertFalse(order.activity_ids)

    def test_forbidden_transitions(self):
        order = self._order()
        with self.assertRaisesRegex(UserError, "cannot be accepted"):
            order.action_accept()
        with self.assertRaisesRegex(UserError, "cannot be marked as done"):
            order.action_done()
        with self.assertRaisesRegex(UserError, "cannot be verified"):
            order.action_verify()
        order.action_assign()
        with self.assertRaisesRegex(UserError, "cannot be started"):
            order.action_start()
        order.action_accept()
        order.action_start()
        order.action_done()
        with self.assertRaisesRegex(UserError, "cannot be cancelled"):
            order.action_cancel()
        with self.assertRaisesRegex(UserError, "Only draft or cancelled"):
            order.unlink()

    def test_cancel_and_reset(self):
        order = self._order()
        order.action_assign()
        order.action_cancel()
        self.assertEqual(order.state, "cancel")
        order.action_reset_draft()
        self.assertEqual(order.state, "draft")
        order.unlink()

    def test_decline_returns_to_draft(self):
        order = self._order()
        order.action_assign()
        action = order.action_decline()
        self.assertEqual(action["res_model"], "eldercare.work.order.decline")
        wizard = Form(
            self.env["eldercare.work.order.decline"].with_context(**action["context"])
        )
        wizard.reason = "师傅生病"
        wizard.save().action_confirm()
        # a manual order goes straight to the next eligible provider
        self.assertEqual(order.state, "assigned")
        self.assertEqual(order.provider_id, self.provider_1)
        self.assertEqual(order.refused_provider_ids, self.provider_2)
        self.assertEqual(order.decline_reason, "师傅生病")
        # nobody left: back to draft, the coordinator is asked to find one
        order.action_decline(reason="没空")
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.provider_id)
        self.assertEqual(order.refused_provider_ids, self.provider_1 | self.provider_2)
        dispatch = self.env.ref("eldercare_base.mail_activity_type_work_order_dispatch")
        todo = order.activity_ids.filtered(lambda a: a.activity_type_id == dispatch)
        self.assertEqual(todo.user_id, self.operator)

    def test_staff_must_belong_to_provider(self):
        staff = self.env["eldercare.provider.staff"].create(
            {
                "name": "刘师傅",
                "provider_id": self.provider_1.id,
                "phone": "13512345678",
            }
        )
        with self.assertRaisesRegex(ValidationError, "works for"):
            self._order(provider_id=self.provider_2.id, staff_id=staff.id)
        with self.assertRaisesRegex(ValidationError, "not a valid phone number"):
            staff.phone = "call me"
        staff.product_ids = self.nanny
        with self.assertRaisesRegex(ValidationError, "does not do"):
            self._order(provider_id=self.provider_1.id, staff_id=staff.id)
        staff.write(
            {"product_ids": [(4, self.plumbing.id)], "area_ids": self.community_b.ids}
        )
        with self.assertRaisesRegex(ValidationError, "does not do"):
            self._order(provider_id=self.provider_1.id, staff_id=staff.id)
        staff.area_ids = self.street
        order = self._order(provider_id=self.provider_1.id, staff_id=staff.id)
        self.assertEqual(order.staff_id, staff)

    def test_contract_dates_and_expiry_cron(self):
        Contract = self.env["eldercare.provider.contract"]
        self.contract_2.write({"date_start": date(2027, 1, 1)})
        eligible = Contract._find_eligible(
            self.plumbing, self.community_a, date(2026, 12, 1)
        )
        self.assertEqual([p for p, _l in eligible], [self.provider_1])
        eligible = Contract._find_eligible(
            self.plumbing, self.community_a, date(2027, 1, 2)
        )
        self.assertEqual([p for p, _l in eligible], [self.provider_2, self.provider_1])
        self.contract_1.date_end = date(2026, 6, 30)
        with freeze_time("2026-07-01"):
            self.assertEqual(Contract._cron_expire_contracts(), 1)
        self.assertEqual(self.contract_1.state, "expired")
        with self.assertRaisesRegex(UserError, "Only a draft contract"):
            self.contract_1.action_activate()
        with self.assertRaisesRegex(UserError, "active contract cannot be deleted"):
            self.contract_2.unlink()
        empty = Contract.create({"name": "HT-EMPTY", "provider_id": self.provider_1.id})
        with self.assertRaisesRegex(UserError, "at least one service item"):
            empty.action_activate()

    def test_assign_to_staff_user(self):
        staff_user = self._user(
            "wo_staff", "base.group_portal,eldercare_base.group_eldercare_provider"
        )
        staff = self.env["eldercare.provider.staff"].create(
            {
                "name": "赵师傅",
                "provider_id": self.provider_2.id,
                "user_id": staff_user.id,
            }
        )
        order = self._order(provider_id=self.provider_2.id, staff_id=staff.id)
        order.action_assign()
        self.assertEqual(order.user_id, staff_user)
        self.assertFalse(order.activity_ids, "portal users get a message, not a to-do")
        self.assertIn(staff_user.partner_id, order.message_partner_ids)
