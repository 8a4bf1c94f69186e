import logging
from collections import defaultdict

from dateutil.relativedelta import relativedelta
from stdnum.cn import ric

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import count_into

_logger = logging.getLogger(__name__)

AGE_BANDS = [
    ("lt70", "Under 70"),
    ("70_79", "70-79"),
    ("80_89", "80-89"),
    ("90", "90 and over"),
]


def id_number_is_valid(value):
    """Check a mainland resident ID number (18 characters with checksum)."""
    value = (value or "").strip().upper()
    if len(value) != 18 or not value[:17].isdigit():
        return False
    return ric.calc_check_digit(value) == value[17]


CARE_GROUPS = (
    "eldercare_base.group_eldercare_operator,eldercare_base.group_eldercare_worker"
)
INTERNAL = "base.group_user"
# personal data of an elder: eldercare roles only, never a plain employee
PERSONAL_GROUPS = (
    "eldercare_base.group_eldercare_operator,eldercare_base.group_eldercare_worker,"
    "eldercare_base.group_eldercare_finance"
)
# reading one of these on one elder (a form) opens the file: logged
FILE_FIELDS = frozenset(
    {
        "id_number",
        "birthdate",
        "spouse_name",
        "relative_ids",
        "medicine_ids",
        "health_condition_ids",
        "allergies",
        "medical_history",
    }
)


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "eldercare.area.mixin"]

    # ------------------------------------------------------------------ elder
    is_elder = fields.Boolean(string="Is an Elder", index=True, tracking=True)
    elder_gender = fields.Selection(
        [("male", "Male"), ("female", "Female")], string="Gender", groups=INTERNAL
    )
    birthdate = fields.Date(string="Birth Date", tracking=True, groups=PERSONAL_GROUPS)
    age = fields.Integer(
        compute="_compute_age",
        store=True,
        aggregator="avg",
        help="Age in years, refreshed daily.",
    )
    age_band = fields.Selection(
        AGE_BANDS, compute="_compute_age_band", store=True, index=True
    )
    id_number = fields.Char(
        string="ID Number",
        groups=PERSONAL_GROUPS,
        tracking=True,
        help="18-character resident identity card number.",
    )
    community_id = fields.Many2one(
        "eldercare.area",
        index=True,
        domain=[("level", "=", "community")],
        tracking=True,
        ondelete="restrict",
    )
    # area_street_id, area_district_id, area_city_id: eldercare.area.mixin
    elder_category_id = fields.Many2one(
        "eldercare.elder.category",
        tracking=True,
        ondelete="restrict",
    )
    living_situation = fields.Selection(
        [
            ("alone", "Lives Alone"),
            ("spouse", "With Spouse"),
            ("children", "With Children"),
            ("other", "Other"),
        ],
        tracking=True,
    )
    worker_id = fields.Many2one(
        "res.users",
        string="Community Worker",
        tracking=True,
        index=True,
        domain=[("share", "=", False)],
    )
    certified = fields.Boolean(
        tracking=True,
        help="The elder's phone numbers have been certified: calls from them "
        "are recognised and pop up the elder file.",
    )
    elder_phone_ids = fields.One2many(
        "eldercare.phone",
        "partner_id",
        string="Certified Numbers",
        groups=PERSONAL_GROUPS,
    )
    home_phone = fields.Char(tracking=True)
    # ----------------------------------------------------------------- health
    blood_type = fields.Selection(
        [
            ("a", "A"),
            ("b", "B"),
            ("ab", "AB"),
            ("o", "O"),
            ("unknown", "Unknown"),
        ],
        groups=CARE_GROUPS,
        tracking=True,
    )
    mobility = fields.Selection(
        [
            ("independent", "Independent"),
            ("assisted", "Needs Assistance"),
            ("wheelchair", "Wheelchair"),
            ("bedridden", "Bedridden"),
        ],
        groups=CARE_GROUPS,
        tracking=True,
    )
    health_condition_ids = fields.Many2many(
        "eldercare.health.condition",
        "eldercare_partner_health_condition_rel",
        "partner_id",
        "condition_id",
        string="Health Conditions",
        groups=CARE_GROUPS,
        tracking=True,
    )
    allergies = fields.Text(groups=CARE_GROUPS, tracking=True)
    medical_history = fields.Text(groups=CARE_GROUPS, tracking=True)
    doctor = fields.Char(string="Family Doctor", groups=CARE_GROUPS, tracking=True)
    hospital = fields.Char(groups=CARE_GROUPS, tracking=True)
    health_notes = fields.Text(groups=CARE_GROUPS, tracking=True)
    medicine_ids = fields.One2many(
        "eldercare.medicine",
        "partner_id",
        string="Regular Medicines",
        groups=CARE_GROUPS,
    )
    # ----------------------------------------------------------------- family
    relative_ids = fields.One2many(
        "eldercare.relative",
        "partner_id",
        string="Relatives & Emergency Contacts",
        groups=PERSONAL_GROUPS,
    )
    spouse_name = fields.Char(groups=PERSONAL_GROUPS, tracking=True)
    spouse_phone = fields.Char(groups=PERSONAL_GROUPS)
    spouse_health = fields.Char(groups=CARE_GROUPS)
    hobbies = fields.Text(string="Hobbies & Interests", groups=PERSONAL_GROUPS)
    other_info = fields.Text(string="Other Information", groups=PERSONAL_GROUPS)
    # ------------------------------------------------------------ services
    recurring_need_ids = fields.One2many(
        "eldercare.recurring.need",
        "elder_id",
        string="Recurring Needs",
        groups=INTERNAL,
    )
    elder_work_order_ids = fields.One2many(
        "eldercare.work.order", "elder_id", string="Work Orders", groups=INTERNAL
    )
    elder_work_order_count = fields.Integer(
        compute="_compute_elder_work_order_count", groups=INTERNAL
    )
    # -------------------------------------------------------------- provider
    is_eldercare_provider = fields.Boolean(
        string="Is a Service Provider", index=True, tracking=True
    )
    enterprise_nature = fields.Selection(
        [
            ("private", "Private Enterprise"),
            ("state", "State-owned Enterprise"),
            ("collective", "Collective Enterprise"),
            ("nonprofit", "Non-profit Organisation"),
            ("individual", "Individual Business"),
            ("other", "Other"),
        ],
    )
    registration_number = fields.Char(
        string="Business Registration Number",
        help="Unified social credit code / business licence number.",
    )
    eldercare_contract_ids = fields.One2many(
        "eldercare.provider.contract", "provider_id", string="Service Contracts"
    )
    eldercare_staff_ids = fields.One2many(
        "eldercare.provider.staff", "provider_id", string="Provider Staff"
    )

    # ---------------------------------------------------------------- computes
    @api.depends("birthdate")
    def _compute_age(self):
        today = fields.Date.context_today(self)
        for partner in self:
            birthdate = partner.sudo().birthdate
            if birthdate and birthdate <= today:
                partner.age = relativedelta(today, birthdate).years
            else:
                partner.age = 0

    @api.depends("age", "is_elder")
    def _compute_age_band(self):
        for partner in self:
            age = partner.age
            if not partner.is_elder or not age:
                partner.age_band = False
            elif age < 70:
                partner.age_band = "lt70"
            elif age < 80:
                partner.age_band = "70_79"
            elif age < 90:
                partner.age_band = "80_89"
            else:
                partner.age_band = "90"

    def _compute_elder_work_order_count(self):
        count_into(self, "elder_work_order_count", "eldercare.work.order", "elder_id")

    @api.constrains("community_id")
    def _check_community_level(self):
        for partner in self:
            if partner.community_id and partner.community_id.level != "community":
                raise ValidationError(
                    _(
                        "%(area)s is a %(level)s, not a community. Choose the "
                        "elder's community (the lowest level of the area tree).",
                        area=partner.community_id.complete_name,
                        level=partner.community_id.level,
                    )
                )

    @api.constrains("id_number", "is_elder", "active")
    def _check_id_number(self):
        elders = self.sudo().filtered(lambda p: p.is_elder and p.id_number)
        for partner in elders:
            if not id_number_is_valid(partner.id_number):
                raise ValidationError(
                    _(
                        "“%(value)s” is not a valid ID number for %(name)s: it "
                        "must have 18 characters (17 digits and a check digit "
                        "or X) and a correct check digit.",
                        value=partner.id_number[:30],
                        name=partner.name,
                    )
                )
        if not elders:
            return
        # one query for the whole batch (a bulk import checks thousands)
        self.flush_model(["id_number", "is_elder", "active"])
        self.env.cr.execute(
            """
            SELECT p.id, o.id FROM res_partner p
              JOIN res_partner o
                ON o.is_elder AND o.active AND o.id != p.id
               AND UPPER(TRIM(o.id_number)) = UPPER(TRIM(p.id_number))
             WHERE p.id = ANY(%s)
             LIMIT 1
            """,
            [elders.ids],
        )
        row = self.env.cr.fetchone()
        if row:
            partner = self.sudo().browse(row[0])
            raise ValidationError(
                _(
                    "The ID number %(value)s is already registered for another "
                    "elder.",
                    value=partner.id_number,
                )
            )

    @api.constrains("birthdate")
    def _check_birthdate(self):
        today = fields.Date.context_today(self)
        for partner in self.sudo():
            if partner.birthdate and partner.birthdate > today:
                raise ValidationError(
                    _("The birth date of %(name)s is in the future.", name=partner.name)
                )

    # ------------------------------------------------------------------ CRUD
    def write(self, vals):
        archived = (
            self.filtered(lambda p: p.is_elder and p.active)
            if "active" in vals and not vals["active"]
            else self.browse()
        )
        res = super().write(vals)
        if archived:
            archived._eldercare_on_archive()
        return res

    def web_read(self, specification):
        """Opening an elder's file is logged: a form reading one elder with
        personal or health fields (not a list, not a many2one label).

        Not ``@api.readonly`` (unlike core): the log is written in the same
        request, on a read/write cursor."""
        result = super().web_read(specification)
        if (
            len(self) == 1
            and isinstance(self.id, int)
            and not self.env.context.get("eldercare_listing")
            and FILE_FIELDS.intersection(specification)
            and self.is_elder
        ):
            self.env["eldercare.elder.access.log"]._log_open(self)
        return result

    # the web client picks its cursor from the first ``_readonly`` in the MRO:
    # opening a file writes its access log, so this read needs read/write
    web_read._readonly = False

    @api.model
    @api.readonly
    def web_search_read(
        self, domain, specification, offset=0, limit=None, order=None, count_limit=None
    ):
        return super(
            ResPartner, self.with_context(eldercare_listing=True)
        ).web_search_read(
            domain,
            specification,
            offset=offset,
            limit=limit,
            order=order,
            count_limit=count_limit,
        )

    def _eldercare_on_archive(self):
        """An archived elder frees its numbers and gets no more services."""
        phones = (
            self.env["eldercare.phone"]
            .sudo()
            .search([("partner_id", "in", self.ids), ("active", "=", True)])
        )
        phones.write({"active": False})
        needs = (
            self.env["eldercare.recurring.need"]
            .sudo()
            .search([("elder_id", "in", self.ids)])
        )
        needs._regenerate_work_orders()

    # ------------------------------------------------------------ lookup API
    @api.model
    def _eldercare_find_elder_by_phone(self, raw):
        """Return the active elder owning the certified number ``raw``.

        Accepts any common written form (13800138000, +86 138 0013 8000,
        0086-138..., 010-6552 1234). Never raises on garbage: returns an empty
        recordset.
        """
        phone = self.env["eldercare.phone"].sudo()._find_by_number(raw)
        return self.browse(phone.partner_id.id)

    @api.model
    def _eldercare_find_elders_by_phone(self, raws):
        """Batch form of :meth:`_eldercare_find_elder_by_phone`, in one query:
        ``{raw: elder}`` for the numbers of ``raws`` that are certified
        (anything that is not text is no number: left out)."""
        Phone = self.env["eldercare.phone"].sudo()
        raws_by_e164 = defaultdict(list)
        for raw in {raw for raw in raws if isinstance(raw, str)}:
            e164 = Phone._normalize_number(raw)
            if e164:
                raws_by_e164[e164].append(raw)
        if not raws_by_e164:
            return {}
        phones = Phone.search_fetch(
            [
                ("number_e164", "in", list(raws_by_e164)),
                ("active", "=", True),
                ("partner_id.active", "=", True),
                ("partner_id.is_elder", "=", True),
            ],
            ["partner_id", "number_e164"],
        )
        elders = {}
        for phone in phones:  # first in the phones' order, as the single lookup
            for raw in raws_by_e164[phone.number_e164]:
                elders.setdefault(raw, self.browse(phone.partner_id.id))
        return elders

    def _eldercare_best_number(self):
        """THE number to call this person on (False when none is on file):
        mobile, home phone, the first active certified phone (one-key phone,
        landline...), then the partner's phone. Telephony's
        ``eldercare.pbx._eldercare_best_number`` answers the same for
        relatives and users through this."""
        self.ensure_one()
        partner = self.sudo()
        if partner.mobile or partner.home_phone:
            return partner.mobile or partner.home_phone
        phones = partner.elder_phone_ids.filtered("active")
        return phones[:1].number or partner.phone or False

    def _eldercare_address(self):
        """One-line address, largest unit first (北京市 朝阳区 和平里...)."""
        self.ensure_one()
        partner = self.sudo()
        parts = [
            partner.state_id.name,
            partner.city,
            partner.street,
            partner.street2,
        ]
        return " ".join(part.strip() for part in parts if part and part.strip())

    def _eldercare_elder_card(self):
        """JSON-serialisable elder file for popups (health only for care roles)."""
        self.ensure_one()
        user = self.env.user
        show_health = (
            self.env.su
            or user.has_group("eldercare_base.group_eldercare_operator")
            or user.has_group("eldercare_base.group_eldercare_worker")
        )
        elder = self.sudo()
        gender_labels = dict(
            self._fields["elder_gender"]._description_selection(self.env)
        )
        card = {
            "id": elder.id,
            "name": elder.name,
            "gender": elder.elder_gender or False,
            "gender_label": gender_labels.get(elder.elder_gender, ""),
            "birthdate": fields.Date.to_string(elder.birthdate)
            if elder.birthdate
            else False,
            "age": elder.age,
            "address": elder._eldercare_address(),
            "community": elder.community_id.complete_name or False,
            "community_id": elder.community_id.id or False,
            "category": elder.elder_category_id.name or False,
            "category_code": elder.elder_category_id.code or False,
            "living_situation": elder.living_situation or False,
            "home_phone": elder.home_phone or False,
            "mobile": elder.mobile or False,
            "phones": [p.number_e164 for p in elder.elder_phone_ids if p.active],
            "relatives": [
                {
                    "name": r.name,
                    "relation": r.relation,
                    "phone": r.phone or False,
                    "work_unit": r.work_unit or False,
                    "is_emergency_contact": r.is_emergency_contact,
                }
                for r in elder.relative_ids
            ],
            "worker": {"id": elder.worker_id.id, "name": elder.worker_id.name}
            if elder.worker_id
            else False,
            "certified": elder.certified,
            "health_conditions": [],
            "medicines": [],
        }
        if show_health:
            card.update(
                {
                    "health_conditions": elder.health_condition_ids.mapped("name"),
                    "medicines": [
                        {
                            "name": m.name,
                            "dose": m.dose or "",
                            "schedule": m.schedule or "",
                        }
                        for m in elder.medicine_ids
                    ],
                    "allergies": elder.allergies or False,
                    "blood_type": elder.blood_type or False,
                    "mobility": elder.mobility or False,
                    "doctor": elder.doctor or False,
                    "hospital": elder.hospital or False,
                }
            )
        return card

    # -------------------------------------------------------------- actions
    def action_eldercare_certify(self):
        """Mark the elder's numbers as checked (calls from them pop up the file)."""
        for elder in self:
            if not elder.elder_phone_ids.filtered("active"):
                raise UserError(
                    _(
                        "Add at least one phone number of %(name)s before "
                        "certifying the file.",
                        name=elder.name,
                    )
                )
        self.certified = True
        return True

    def action_eldercare_uncertify(self):
        self.certified = False
        return True

    def action_open_elder_file(self):
        """Open the contact in the elder file form (from the Contacts app)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.id,
            "view_mode": "form",
            "views": [
                (self.env.ref("eldercare_base.res_partner_view_form_elder").id, "form")
            ],
            "context": {"default_is_elder": True},
        }

    def action_view_elder_work_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "eldercare_base.eldercare_work_order_action"
        )
        action["domain"] = [("elder_id", "=", self.id)]
        action["context"] = {"default_elder_id": self.id}
        return action

    @api.model
    def _cron_eldercare_refresh_age(self):
        """Recompute the stored age (and age band) of elders whose age changed.

        Compares in SQL, so a missed run catches up on the next one.
        """
        today = fields.Date.context_today(self)
        self.flush_model(["birthdate", "age", "is_elder"])
        self.env.cr.execute(
            """
            SELECT id FROM res_partner
             WHERE is_elder AND birthdate IS NOT NULL AND birthdate <= %s
               AND COALESCE(age, -1) != EXTRACT(YEAR FROM AGE(%s, birthdate))
            """,
            (today, today),
        )
        elders = self.browse([row[0] for row in self.env.cr.fetchall()])
        if elders:
            self.env.add_to_compute(self._fields["age"], elders)
            elders.flush_recordset(["age", "age_band"])
        return len(elders)
