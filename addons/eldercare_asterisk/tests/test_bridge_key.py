from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user


class TestBridgeKeyRotation(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bridge_user = cls.env.ref("eldercare_asterisk.user_eldercare_bridge")
        cls.supervisor = new_test_user(
            cls.env,
            login="ec_key_supervisor",
            groups="base.group_user,eldercare_base.group_eldercare_supervisor",
        )
        cls.employee = new_test_user(
            cls.env, login="ec_key_employee", groups="base.group_user"
        )
        cls.operator = new_test_user(
            cls.env,
            login="ec_key_operator",
            groups="base.group_user,eldercare_base.group_eldercare_operator",
        )

    def key_user(self, key):
        return (
            self.env["res.users.apikeys"]
            .sudo()
            ._check_credentials(scope="rpc", key=key)
        )

    def wizard(self, user):
        return self.env["eldercare.bridge.key.wizard"].with_user(user).create({})

    def test_supervisor_rotates_and_the_old_key_stops_working(self):
        first = self.env["eldercare.bridge.key.wizard"].create({})
        first.action_generate()
        second = self.env["eldercare.bridge.key.wizard"].create({})
        second.action_generate()
        self.assertEqual(self.key_user(first.key), self.bridge_user.id)
        self.assertEqual(self.key_user(second.key), self.bridge_user.id)

        rotation = self.wizard(self.supervisor)
        rotation.action_rotate()
        self.assertTrue(rotation.key)
        self.assertEqual(rotation.revoked_count, 2)
        # the new key logs the bridge in; every earlier one is refused now
        self.assertEqual(self.key_user(rotation.key), self.bridge_user.id)
        self.assertFalse(self.key_user(first.key))
        self.assertFalse(self.key_user(second.key))
        self.assertEqual(
            self.env["res.users.apikeys"]
            .sudo()
            .search_count([("user_id", "=", self.bridge_user.id)]),
            1,
        )

    def test_bridge_user_employee_and_operator_cannot_rotate(self):
        self.env["eldercare.bridge.key.wizard"].create({}).action_generate()
        before = (
            self.env["res.users.apikeys"]
            .sudo()
            .search([("user_id", "=", self.bridge_user.id)])
        )
        for user in (self.bridge_user, self.employee, self.operator):
            with self.assertRaises(AccessError, msg=user.login):
                self.wizard(user).action_rotate()
        self.assertEqual(
            self.env["res.users.apikeys"]
            .sudo()
            .search([("user_id", "=", self.bridge_user.id)]),
            before,
        )

    def test_supervisor_cannot_add_a_key_without_revoking(self):
        # creating an extra key (earlier keys kept) stays an administrator's act
        with self.assertRaises(UserError):
            self.wizard(self.supervisor).action_generate()
