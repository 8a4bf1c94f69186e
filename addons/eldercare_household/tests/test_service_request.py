from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, TransactionCase, new_test_user, tagged

from .common import HouseholdTestMixin


@tagged("post_install", "-at_install")
class TestServiceRequest(HouseholdTestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(
            context=dict(cls.env.context, tracking_disable=False, mail_notrack=False)
        )
        cls._setup_household_world()

    # ------------------------------------------------------------------
    # matching
    # ------------------------------------------------------------------
    def test_matching_cheapest_first_and_exclusions(self):
        request = self._new_request()
        self.assertEqual(request.state, "new")
        self.assertEqual(request.community_id, self.community)
        self.assertIn("幸福路12号", request.address)
        self.assertEqual(request.phone, "+8613912345678")

        request.action_find_providers()

        self.assertEqual(
            request.proposal_ids.mapped("provider_id"),
            self.provider_a | self.provider_b,
            "only the active contracts covering the community are proposed",
        )
        self.assertEqual(
            request.proposal_ids.sorted("sequence").mapped("provider_id").ids,
            [self.provider_a.id, self.provider_b.id],
            "cheapest first",
        )
        first = request.proposal_ids.sorted("sequence")[0]
        self.assertEqual(first.price_unit, 80.0)
        self.assertEqual(first.contract_id, self.contract_a)
        # only available staff are proposed
        self.assertEqual(first.available_staff_ids, self.staff_a)
        self.assertEqual(first.staff_id, self.staff_a)
        self.assertEqual(request.state, "quoted")
        self.assertEqual(request.price_estimate, 80.0)

    def test_matching_excludes_contract_no_longer_active(self):
        self.contract_a.action_expire()
        request = self._new_request()
        request.action_find_providers()
        self.assertEqual(request.proposal_ids.provider_id, self.provider_b)
        self.assertEqual(request.price_estimate, 100.0)

    def test_matching_community_not_covered(self):
        # provider far only covers the other community; provider B covers the
        # whole city: only B is proposed there, the cheap far provider is not
        # proposed for our elder
        request = self._new_request(community_id=self.community_other.id)
        request.action_find_providers()
        self.assertEqual(
            request.proposal_ids.sorted("sequence").provider_id.ids,
            [self.provider_far.id, self.provider_b.id],
        )
        # a community nobody covers: no proposal, note in chatter, stays new
        lonely = self.env["eldercare.area"].create(
            {"name": "孤岛社区", "level": "community"}
        )
        request2 = self._new_request(community_id=lonely.id, partner_id=False)
        request2.action_find_providers()
        self.assertFalse(request2.proposal_ids)
        self.assertEqual(request2.state, "new")
        self.assertIn(
            "No provider has an active contract",
            request2.message_ids[0].body,
        )

    def test_matching_needs_service_and_community(self):
        request = self._new_request(product_id=False)
        with self.assertRaisesRegex(UserError, "Set the service"):
            request.action_find_providers()

    def test_rematching_replaces_proposals(self):
        request = self._new_request()
        request.action_find_providers()
        request.action_find_providers()
        self.assertEqual(len(request.proposal_ids), 2)

    # ------------------------------------------------------------------
    # dispatch
    # ------------------------------------------------------------------
    def test_confirm_creates_work_order_and_notifies_provider(self):
        request, order = self._dispatched_order()
        self.assertEqual(request.state, "scheduled")
        self.assertEqual(request.provider_id, self.provider_a)
        self.assertEqual(order.origin, "household")
        self.assertEqual(order.request_id, request)
        self.assertEqual(order.provider_id, self.provider_a)
        self.assertEqual(order.staff_id, self.staff_a)
        self.assertEqual(order.elder_id, self.elder)
        self.assertEqual(order.price_unit, 80.0)
        self.assertEqual(order.state, "assigned")
        # provider's portal user follows the order and got the message
        self.assertIn(self.user_a.partner_id, order.message_partner_ids)
        self.assertNotIn(self.user_b.partner_id, order.message_partner_ids)
        notified = order.message_ids.filtered(
            lambda m: self.user_a.partner_id in m.partner_ids
        )
        self.assertTrue(notified, "the provider's users are mailed")
        self.assertIn("/my/work_orders/%s" % order.id, notified[0].body)
        # a second confirm is refused
        with self.assertRaises(UserError):
            request.proposal_ids[0].action_confirm()

    def test_free_contract_price_is_a_price(self):
        """A contracted price of 0 is a free service (billing's meaning too):
        quoted and dispatched like any price, never "missing"."""
        request = self._new_request(product_id=self.service_unpriced.id)
        request.action_find_providers()
        proposal = request.proposal_ids
        self.assertEqual(proposal.provider_id, self.provider_noprice)
        self.assertFalse(proposal.price_missing)
        self.assertEqual(proposal.price_unit, 0.0)
        self.assertEqual(request.state, "quoted")
        self.assertFalse(
            request.message_ids.filtered(lambda m: "No committed price" in m.body)
        )
        proposal.action_confirm()
        order = request.work_order_id
        self.assertEqual(request.state, "scheduled")
        self.assertEqual(order.state, "assigned")
        self.assertEqual(order.provider_id, self.provider_noprice)
        self.assertEqual(order.price_unit, 0.0)
        self.assertEqual(order.amount_total, 0.0)

    def test_unknown_caller_cannot_be_dispatched(self):
        request = self._new_request(
            partner_id=False,
            caller_name="路人甲",
            caller_number="13700000000",
            community_id=self.community.id,
            address="幸福路1号",
        )
        request.action_find_providers()
        with self.assertRaisesRegex(UserError, "no elder on file"):
            request.proposal_ids[0].action_confirm()
        self.assertEqual(request.state, "quoted")

    def test_decline_sends_request_back_and_redispatch(self):
        request, order = self._dispatched_order()
        order.with_user(self.user_a).sudo()._eldercare_portal_decline("师傅都在外地")
        self.assertEqual(request.state, "quoted")
        self.assertFalse(request.provider_id)
        self.assertTrue(order._is_handed_back())
        self.assertEqual(
            request.proposal_ids.filtered("declined").provider_id, self.provider_a
        )
        activity = request.activity_ids.filtered(lambda a: a.user_id == self.operator)
        self.assertTrue(activity, "the operator is asked to dispatch again")
        # dispatch to B re-uses the handed back order
        request.proposal_ids.filtered(
            lambda p: p.provider_id == self.provider_b
        ).action_confirm()
        self.assertEqual(len(request.work_order_ids), 1)
        self.assertEqual(order.provider_id, self.provider_b)
        self.assertEqual(order.state, "assigned")
        self.assertFalse(order.decline_reason)
        self.assertEqual(order.price_unit, 100.0)
        self.assertEqual(request.state, "scheduled")

    def test_cancel_request_cancels_open_order(self):
        request, order = self._dispatched_order()
        request.action_cancel()
        self.assertEqual(request.state, "cancel")
        self.assertEqual(order.state, "cancel")

    # ------------------------------------------------------------------
    # provider flow and satisfaction
    # ------------------------------------------------------------------
    def test_full_flow_and_low_satisfaction(self):
        request, order = self._dispatched_order()
        # as the portal controller does: sudo after the access check
        order_a = order.with_user(self.user_a).sudo()
        order_a._eldercare_portal_accept()
        self.assertEqual(order.state, "accepted")
        with self.assertRaisesRegex(UserError, "not possible"):
            order_a._eldercare_portal_accept()
        with self.assertRaisesRegex(UserError, "more than zero"):
            order.sudo()._eldercare_portal_finish(0)
        order.sudo()._eldercare_portal_finish(
            "2",
            note="换了新锁芯",
            attachments=[("lock.jpg", b"\xff\xd8fakejpeg", "image/jpeg")],
            author=self.user_a.partner_id,
        )
        self.assertEqual(order.state, "done")
        self.assertEqual(order.quantity, 2.0)
        self.assertEqual(request.state, "done")
        photo = self.env["ir.attachment"].search(
            [("res_model", "=", order._name), ("res_id", "=", order.id)]
        )
        self.assertEqual(photo.name, "lock.jpg")
        self.assertTrue(
            order.message_ids.filtered(
                lambda m: m.author_id == self.user_a.partner_id
                and "换了新锁芯" in m.body
            )
        )

        # before any configuration, the supervisor is responsible
        self.env.company.eldercare_satisfaction_user_id = False
        action = request.with_user(self.operator).action_open_satisfaction_wizard()
        wizard_form = Form(
            self.env[action["res_model"]]
            .with_user(self.operator)
            .with_context(**action["context"])
        )
        wizard_form.satisfaction = "1"
        wizard_form.feedback = "师傅迟到两小时"
        self.assertTrue(wizard_form.is_low_score)
        wizard_form.save().action_confirm()

        self.assertEqual(order.satisfaction, "1")
        self.assertEqual(request.satisfaction, "1")
        self.assertEqual(request.satisfaction_user_id, self.operator)
        activity = request.activity_ids.filtered(
            lambda a: a.activity_type_id
            == self.env.ref("eldercare_household.mail_activity_low_satisfaction")
        )
        self.assertEqual(len(activity), 1)
        supervisors = self.env.ref(
            "eldercare_base.group_eldercare_supervisor"
        ).users.filtered(lambda u: not u.share)
        self.assertIn(activity.user_id, supervisors)
        self.assertIn("师傅迟到两小时", activity.note)

    def test_good_score_no_activity_and_configured_responsible(self):
        request, order = self._dispatched_order()
        order.sudo()._eldercare_portal_accept()
        order.sudo()._eldercare_portal_start()
        order.sudo()._eldercare_portal_finish(1)
        wizard = self.env["eldercare.satisfaction.wizard"].with_user(self.operator)
        wizard.create({"work_order_id": order.id, "satisfaction": "5"}).action_confirm()
        self.assertEqual(request.satisfaction, "5")
        self.assertFalse(request.activity_ids)
        # configured responsible takes the complaint
        self.env.company.eldercare_satisfaction_user_id = self.supervisor
        wizard.create({"work_order_id": order.id, "satisfaction": "2"}).action_confirm()
        self.assertEqual(request.activity_ids.user_id, self.supervisor)

    def test_satisfaction_only_after_done(self):
        request, order = self._dispatched_order()
        wizard = (
            self.env["eldercare.satisfaction.wizard"]
            .with_user(self.operator)
            .create({"work_order_id": order.id, "satisfaction": "4"})
        )
        with self.assertRaisesRegex(UserError, "not finished yet"):
            wizard.action_confirm()
        self.assertFalse(request.satisfaction)

    # ------------------------------------------------------------------
    # isolation between providers (ORM level)
    # ------------------------------------------------------------------
    def test_provider_sees_only_own_orders(self):
        _request_a, order_a = self._dispatched_order(self.provider_a)
        _request_b, order_b = self._dispatched_order(self.provider_b)
        WorkOrder = self.env["eldercare.work.order"]
        domain_a = WorkOrder.with_user(self.user_a)._eldercare_portal_domain()
        visible = WorkOrder.with_user(self.user_a).search(domain_a)
        self.assertIn(order_a, visible)
        self.assertNotIn(order_b, visible)
        # even without our domain, the record rules hide B's order from A
        self.assertNotIn(order_b, WorkOrder.with_user(self.user_a).search([]))
        with self.assertRaises(AccessError):
            order_b.with_user(self.user_a).check_access("read")
        # and providers cannot touch requests at all
        with self.assertRaises(AccessError):
            self.env["eldercare.service.request"].with_user(self.user_a).search([])

    def test_worker_sees_requests_of_their_areas(self):
        request = self._new_request()
        worker_here = new_test_user(
            self.env,
            login="hh_worker_here",
            groups="eldercare_base.group_eldercare_worker",
            eldercare_area_ids=[Command.set(self.street.ids)],
        )
        worker_far = new_test_user(
            self.env,
            login="hh_worker_far",
            groups="eldercare_base.group_eldercare_worker",
            eldercare_area_ids=[Command.set(self.community_other.ids)],
        )
        Request = self.env["eldercare.service.request"]
        self.assertIn(request, Request.with_user(worker_here).search([]))
        self.assertNotIn(request, Request.with_user(worker_far).search([]))
        self.assertIn(request, Request.with_user(self.supervisor).search([]))

    def test_register_unknown_caller_then_dispatch(self):
        request = self._new_request(
            partner_id=False,
            caller_number="13700000001",
            community_id=self.community.id,
            address="幸福路1号2单元302",
        )
        with self.assertRaisesRegex(UserError, "caller's name"):
            request.action_register_elder()
        request.caller_name = "路人乙"
        request.action_register_elder()
        elder = request.partner_id
        self.assertTrue(elder.is_elder)
        self.assertEqual(elder.name, "路人乙")
        self.assertEqual(elder.community_id, self.community)
        self.assertEqual(request.address, "幸福路1号2单元302")
        self.assertEqual(
            self.env["res.partner"]._eldercare_find_elder_by_phone("13700000001"),
            elder,
        )
        request.action_find_providers()
        request.proposal_ids.sorted("sequence")[0].action_confirm()
        self.assertEqual(request.work_order_id.elder_id, elder)

    def test_request_form_as_operator(self):
        form = Form(self.env["eldercare.service.request"].with_user(self.operator))
        form.partner_id = self.elder
        self.assertEqual(form.community_id, self.community)
        self.assertIn("幸福路12号", form.address)
        form.product_id = self.service
        request = form.save()
        self.assertTrue(request.name.startswith("SR/"))
        self.assertEqual(request.user_id, self.operator)
        self.assertEqual(request.channel, "operator")

    def test_satisfaction_call_reminder(self):
        request, order = self._dispatched_order()
        order.sudo()._eldercare_portal_accept()
        order.sudo()._eldercare_portal_finish(1)
        call_type = self.env.ref("eldercare_household.mail_activity_satisfaction_call")
        reminder = request.activity_ids.filtered(
            lambda a: a.activity_type_id == call_type
        )
        self.assertEqual(reminder.user_id, self.operator)
        self.env["eldercare.satisfaction.wizard"].with_user(self.operator).create(
            {"work_order_id": order.id, "satisfaction": "4"}
        ).action_confirm()
        self.assertFalse(request.activity_ids, "the reminder is done")

    def test_provider_moves_order_without_sudo(self):
        """The request follows even when the provider works through the ORM
        with its own rights (no access to requests)."""
        request, order = self._dispatched_order()
        as_provider = order.with_user(self.user_a)
        as_provider.action_accept()
        as_provider.action_start()
        as_provider.action_done()
        self.assertEqual(order.state, "done")
        self.assertEqual(request.state, "done")
