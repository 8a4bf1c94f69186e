import base64
import json
from datetime import datetime

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import EldercareCommon

OPERATOR = "base.group_user,eldercare_base.group_eldercare_operator"
WORKER = "base.group_user,eldercare_base.group_eldercare_worker"
FINANCE = "base.group_user,eldercare_base.group_eldercare_finance"
SUPERVISOR = "base.group_user,eldercare_base.group_eldercare_supervisor"
PROVIDER = "base.group_portal,eldercare_base.group_eldercare_provider"
PERSONAL = ["id_number", "birthdate", "spouse_name", "spouse_phone"]
ID_A = "11010519491231002X"


@tagged("post_install", "-at_install")
class TestPersonalData(EldercareCommon):
    """Issue 16: an elder's personal and health data, by role and by path."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.elder_a.write(
            {
                "id_number": ID_A,
                "spouse_name": "王老伯",
                "spouse_phone": "13600001111",
            }
        )
        cls.operator = cls._user("pd_operator", OPERATOR)
        cls.finance = cls._user("pd_finance", FINANCE)
        cls.employee = cls._user("pd_employee", "base.group_user")
        cls.supervisor = cls._user("pd_supervisor", SUPERVISOR)
        cls.worker_c = cls._user(
            "pd_worker_c", WORKER, eldercare_area_ids=[Command.set(cls.community_c.ids)]
        )
        cls.worker_a = cls._user(
            "pd_worker_a", WORKER, eldercare_area_ids=[Command.set(cls.community_a.ids)]
        )
        contact = cls.env["res.partner"].create(
            {"name": "安心家政调度员", "parent_id": cls.provider_1.id}
        )
        cls.provider_user = cls._user("pd_provider", PROVIDER, partner_id=contact.id)
        cls.order = cls.env["eldercare.work.order"].create(
            {
                "elder_id": cls.elder_a.id,
                "product_id": cls.plumbing.id,
                "provider_id": cls.provider_1.id,
                "date_scheduled": datetime(2026, 12, 1, 2),
            }
        )
        # a medicine added after creation logs a health note in the chatter
        tracked = cls.env(context=dict(cls.env.context, tracking_disable=False))
        tracked["eldercare.medicine"].create(
            {
                "partner_id": cls.elder_a.id,
                "name": "缬沙坦胶囊",
                "dose": "80mg",
                "schedule": "每日一次",
            }
        )
        cls.plain_note = cls.elder_a.message_post(
            body="已电话回访, 一切正常", subtype_xmlid="mail.mt_note"
        )
        cls.health_note = cls.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "=", cls.elder_a.id),
                ("body", "ilike", "缬沙坦"),
            ]
        )
        cls.attachment = cls.env["ir.attachment"].create(
            {
                "name": "身份证扫描.txt",
                "res_model": "res.partner",
                "res_id": cls.elder_a.id,
                "datas": base64.b64encode(b"ID card"),
            }
        )

    def _messages(self, user, elder):
        return (
            self.env["mail.message"]
            .with_user(user)
            .search([("model", "=", "res.partner"), ("res_id", "=", elder.id)])
        )

    # ----------------------------------------------------- no eldercare role
    def test_plain_employee_sees_no_elder(self):
        Partner = self.env["res.partner"].with_user(self.employee)
        self.assertFalse(Partner.search_read([("is_elder", "=", True)], ["name"]))
        self.assertFalse(Partner.search([("id", "=", self.elder_a.id)]))
        groups = Partner.read_group(
            [("is_elder", "=", True)], ["community_id"], ["community_id"]
        )
        self.assertFalse(groups)
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.elder_a.with_user(self.employee).read(["name"])
        for field in PERSONAL:
            with self.assertRaises(AccessError), mute_logger("odoo.models"):
                self.elder_a.with_user(self.employee).read([field])
        # chatter and attachments of the file are refused with it
        self.assertFalse(self._messages(self.employee, self.elder_a))
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.attachment.with_user(self.employee).read(["datas"])
        Attachment = self.env["ir.attachment"].with_user(self.employee)
        self.assertFalse(Attachment.search([("id", "=", self.attachment.id)]))

    def test_employee_cannot_search_by_personal_field(self):
        Partner = self.env["res.partner"].with_user(self.employee)
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            Partner.search_read([("id_number", "=", ID_A)], ["name"])

    # ------------------------------------------------------------- finance
    def test_finance_reads_identity_not_health_history(self):
        elder = self.elder_a.with_user(self.finance)
        self.assertEqual(elder.id_number, ID_A)
        self.assertEqual(elder.spouse_name, "王老伯")
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            elder.read(["spouse_health"])
        self.assertTrue(self.health_note)
        visible = self._messages(self.finance, self.elder_a)
        self.assertNotIn(self.health_note, visible)
        self.assertFalse(
            self.env["mail.message"]
            .with_user(self.finance)
            .search([("body", "ilike", "缬沙坦")])
        )
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.health_note.with_user(self.finance).read(["body"])
        fetched = (
            self.env["mail.message"]
            .with_user(self.finance)
            ._message_fetch(
                [("model", "=", "res.partner"), ("res_id", "=", self.elder_a.id)]
            )["messages"]
        )
        self.assertNotIn(self.health_note, fetched)
        self.assertIn(self.plain_note, fetched, "the rest of the chatter stays")

    def test_care_roles_read_health_history(self):
        for user in (self.operator, self.worker_a):
            self.assertIn(self.health_note, self._messages(user, self.elder_a))
            self.assertIn("缬沙坦", self.health_note.with_user(user).body)

    # ----------------------------------------------- worker of another area
    def test_worker_of_another_area_refused_on_every_path(self):
        Partner = self.env["res.partner"].with_user(self.worker_c)
        self.assertFalse(
            Partner.search_read([("id", "=", self.elder_a.id)], ["name", "id_number"])
        )
        counts = Partner.read_group(
            [("is_elder", "=", True)], ["community_id"], ["community_id"]
        )
        self.assertEqual([g["community_id"][0] for g in counts], self.community_c.ids)
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.elder_a.with_user(self.worker_c).read(["id_number"])
        # related path through a work order
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.order.with_user(self.worker_c).read(["elder_id"])
        self.assertFalse(self._messages(self.worker_c, self.elder_a))
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.health_note.with_user(self.worker_c).read(["body"])
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.attachment.with_user(self.worker_c).read(["datas"])

    # ------------------------------------------------------ portal provider
    def test_provider_reads_job_not_personal_data(self):
        order = self.order.with_user(self.provider_user)
        self.assertEqual(order.elder_name, "张秀英")
        for field in PERSONAL:
            with self.assertRaises(AccessError), mute_logger("odoo.models"):
                self.assertFalse(order.elder_id[field])
        self.assertFalse(self._messages(self.provider_user, self.elder_a))
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.health_note.with_user(self.provider_user).read(["body"])
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.attachment.with_user(self.provider_user).read(["datas"])

    # ------------------------------------------------- uniqueness messages
    def test_duplicate_id_number_names_no_other_elder(self):
        with self.assertRaisesRegex(ValidationError, "another elder") as caught:
            self.elder_c.with_user(self.worker_c).write({"id_number": ID_A})
        self.assertNotIn("张秀英", str(caught.exception))

    def test_duplicate_phone_names_no_other_elder(self):
        with self.assertRaisesRegex(ValidationError, "another elder") as caught:
            self.env["eldercare.phone"].with_user(self.worker_c).create(
                {"partner_id": self.elder_c.id, "number": "13700137000"}
            )
        self.assertNotIn("张秀英", str(caught.exception))

    # --------------------------------------------------------- access log
    def test_opening_a_file_is_logged_not_listing(self):
        Log = self.env["eldercare.elder.access.log"]
        Partner = self.env["res.partner"].with_user(self.worker_a)
        Partner.web_search_read([("is_elder", "=", True)], {"name": {}})
        self.assertFalse(Log.search([("user_id", "=", self.worker_a.id)]))
        self.elder_a.with_user(self.worker_a).web_read({"name": {}, "id_number": {}})
        log = Log.search([("user_id", "=", self.worker_a.id)])
        self.assertEqual(log.elder_id, self.elder_a)
        # saving and reloading within minutes is the same visit
        self.elder_a.with_user(self.worker_a).web_read({"name": {}})
        self.assertEqual(Log.search_count([("user_id", "=", self.worker_a.id)]), 1)
        # a work order showing the elder's name does not open the file
        self.order.with_user(self.operator).web_read(
            {"elder_id": {"fields": {"display_name": {}}}}
        )
        self.assertFalse(Log.search([("user_id", "=", self.operator.id)]))
        # the supervisor reads the log, a worker does not
        seen = Log.with_user(self.supervisor).search(
            [("elder_id", "=", self.elder_a.id)]
        )
        self.assertEqual(seen.user_id, self.worker_a)
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            Log.with_user(self.worker_a).search([])


@tagged("post_install", "-at_install")
class TestPersonalDataHttp(HttpCase):
    """The same refusals over the web client's URLs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        community = cls.env["eldercare.area"].create({"name": "网页社区"})
        cls.elder = cls.env["res.partner"].create(
            {
                "name": "周美华",
                "is_elder": True,
                "community_id": community.id,
                "id_number": ID_A,
            }
        )
        cls.attachment = cls.env["ir.attachment"].create(
            {
                "name": "病历.txt",
                "res_model": "res.partner",
                "res_id": cls.elder.id,
                "datas": base64.b64encode(b"medical record"),
            }
        )
        new_test_user(cls.env, login="pdh_employee", groups="base.group_user")
        cls.worker = new_test_user(
            cls.env,
            login="pdh_worker",
            groups=WORKER,
            eldercare_area_ids=[Command.set(community.ids)],
        )

    def _call(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs},
        )

    def test_employee_urls_refused(self):
        self.authenticate("pdh_employee", "pdh_employee")
        response = self.url_open(f"/web/content/{self.attachment.id}")
        self.assertIn(response.status_code, (403, 404))
        self.assertNotIn(b"medical record", response.content)
        found = self._call(
            "res.partner", "search_read", [["is_elder", "=", True]], ["name"]
        )
        self.assertEqual(found, [])
        with mute_logger("odoo.http"):
            response = self.url_open(
                "/web/dataset/call_kw/res.partner/read",
                data=json.dumps(
                    {
                        "params": {
                            "model": "res.partner",
                            "method": "read",
                            "args": [[self.elder.id], ["id_number"]],
                            "kwargs": {},
                        }
                    }
                ),
                headers={"Content-Type": "application/json"},
            )
        self.assertIn("AccessError", response.json()["error"]["data"]["name"])
        self.assertNotIn(ID_A, response.text)

    def test_form_read_over_http_is_logged(self):
        self.authenticate("pdh_worker", "pdh_worker")
        values = self._call(
            "res.partner",
            "web_read",
            [self.elder.id],
            specification={"name": {}, "id_number": {}},
        )
        self.assertEqual(values[0]["id_number"], ID_A)
        log = self.env["eldercare.elder.access.log"].search(
            [("elder_id", "=", self.elder.id)]
        )
        self.assertEqual(log.user_id, self.worker)
