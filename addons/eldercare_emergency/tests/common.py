from odoo.fields import Command
from odoo.tests import TransactionCase

from odoo.addons.eldercare_base.tests.common import eldercare_area, eldercare_user


class EldercareEmergencyCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.city = eldercare_area(cls.env, "Testcity", "city")
        cls.community = eldercare_area(
            cls.env, "Lotus Community", "community", cls.city
        )
        cls.other_community = eldercare_area(
            cls.env, "Pine Community", "community", cls.city
        )
        cls.operator = eldercare_user(
            cls.env, "ec_operator", "Operator Wang", "operator"
        )
        cls.operator.eldercare_on_duty = True
        cls.operator2 = eldercare_user(
            cls.env, "ec_operator2", "Operator Li", "operator"
        )
        cls.operator2.eldercare_on_duty = True
        cls.operator_off = eldercare_user(
            cls.env, "ec_operator_off", "Operator Zhao (off duty)", "operator"
        )
        cls.supervisor = eldercare_user(
            cls.env, "ec_supervisor", "Supervisor Chen", "supervisor"
        )
        cls.worker = eldercare_user(cls.env, "ec_worker", "Worker Liu", "worker")
        cls.worker2 = eldercare_user(cls.env, "ec_worker2", "Worker Sun", "worker")
        cls.elder = cls.env["res.partner"].create(
            {
                "name": "Zhang Guiying",
                "is_elder": True,
                "elder_gender": "female",
                "community_id": cls.community.id,
                "worker_id": cls.worker.id,
                "home_phone": "010-65521234",
                "elder_phone_ids": [
                    Command.create(
                        {"number": "13011110001", "phone_type": "emergency_button"}
                    )
                ],
                "relative_ids": [
                    Command.create(
                        {
                            "name": "Li Ming",
                            "relation": "son",
                            "phone": "13900139000",
                            "work_unit": "Beijing No.3 Hospital",
                            "sequence": 2,
                            "is_emergency_contact": True,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Neighbour Wu",
                            "relation": "neighbour",
                            "phone": "13700137000",
                            "sequence": 1,
                            "is_emergency_contact": False,
                        }
                    ),
                ],
            }
        )
        cls.other_elder = cls.env["res.partner"].create(
            {
                "name": "Zhou Jianguo",
                "is_elder": True,
                "community_id": cls.other_community.id,
                "worker_id": cls.worker2.id,
            }
        )
        cls.type_fall = cls.env.ref("eldercare_emergency.alert_type_fall")
        cls.type_care = cls.env.ref("eldercare_emergency.alert_type_care")
        cls.type_emergency = cls.env.ref(
            "eldercare_emergency.alert_type_emergency_call"
        )
        cls.Alert = cls.env["eldercare.alert"]

    def _new_alert(self, **vals):
        values = {
            "elder_id": self.elder.id,
            "type_id": self.type_care.id,
            "channel": "manual",
        }
        values.update(vals)
        return self.Alert.create(values)

    def _bus_messages(self, notification_type, user):
        """bus.bus rows of ``notification_type`` addressed to ``user``."""
        self.env.cr.precommit.run()
        channel = f'"res.partner", {user.partner_id.id}]'
        rows = (
            self.env["bus.bus"].sudo().search([("message", "like", notification_type)])
        )
        return rows.filtered(
            lambda r: r.channel.replace(" ", "").endswith(channel.replace(" ", ""))
        )
