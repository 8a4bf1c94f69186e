from datetime import date
from unittest.mock import patch

from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tests import TransactionCase, new_test_user, tagged

from .common import EldercareBillingDataMixin


@tagged("eldercare_billing")
class TestPricing(EldercareBillingDataMixin, TransactionCase):
    """Split, caps, rounding, free categories; statements without accounting."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_billing_month()

    def _split(self, category, lines):
        table = self.env["eldercare.subsidy.rule"]._prepare_rule_table(
            self.env.company, date(2025, 3, 1), date(2025, 3, 31)
        )
        for line in lines:
            line.setdefault("categ_path", "")
        problems = self.env["eldercare.subsidy.rule"]._split_lines(
            self.currency, table.get(category.id), lines
        )
        return lines, problems

    def _run(self, create_invoices=False):
        run = self.env["eldercare.billing.run"]._get_or_create(
            self.period, self.env.company, create_invoices
        )
        run._run()
        return run

    def _statement(self, elder):
        return self.env["eldercare.statement"].search(
            [("partner_id", "=", elder.id), ("period", "=", self.period)]
        )

    # ------------------------------------------------------------------ split
    def test_rounding_shares_sum_to_line(self):
        self.rule_dibao.write({"percentage": 33.33, "monthly_cap": 0})
        amounts = [10.0, 0.01, 66.67, 33.33, 99.99, 12.35]
        lines, problems = self._split(
            self.cat_dibao,
            [
                {
                    "product_id": self.svc_care.id,
                    "date": date(2025, 3, i + 1),
                    "amount": amount,
                }
                for i, amount in enumerate(amounts)
            ],
        )
        self.assertFalse(problems)
        by_amount = {line["amount"]: line for line in lines}
        # 33.33 % of 10.00 = 3.333 -> 3.33, the elder pays the remaining 6.67
        self.assertEqual(by_amount[10.0]["amount_subsidy"], 3.33)
        self.assertEqual(by_amount[10.0]["amount_elder"], 6.67)
        # 33.33 % of 66.67 = 22.221... -> 22.22
        self.assertEqual(by_amount[66.67]["amount_subsidy"], 22.22)
        for line in lines:
            self.assertEqual(
                self.currency.round(line["amount_elder"] + line["amount_subsidy"]),
                line["amount"],
            )
            self.assertEqual(
                line["amount_subsidy"], self.currency.round(line["amount_subsidy"])
            )

    def test_cap_exhausted_mid_month_moves_rest_to_elder(self):
        # given out of order: the cap is consumed in date order
        lines, _problems = self._split(
            self.cat_dibao,
            [
                {
                    "product_id": self.svc_care.id,
                    "date": date(2025, 3, day),
                    "amount": 45.0,
                }
                for day in (17, 3, 24, 10)
            ],
        )
        by_day = {line["date"].day: line for line in lines}
        self.assertEqual(by_day[3]["amount_subsidy"], 36.0)
        self.assertEqual(by_day[10]["amount_subsidy"], 36.0)
        self.assertEqual(by_day[17]["amount_subsidy"], 28.0)  # cap 100 reached
        self.assertEqual(by_day[17]["amount_elder"], 17.0)
        self.assertEqual(by_day[24]["amount_subsidy"], 0.0)
        self.assertEqual(by_day[24]["amount_elder"], 45.0)
        self.assertEqual(sum(ln["amount_subsidy"] for ln in lines), 100.0)

    def test_free_category_is_all_subsidy(self):
        lines, _problems = self._split(
            self.cat_free,
            [
                {
                    "product_id": self.svc_plumb.id,
                    "date": date(2025, 3, 2),
                    "amount": 66.67,
                }
            ],
        )
        self.assertEqual(lines[0]["amount_subsidy"], 66.67)
        self.assertEqual(lines[0]["amount_elder"], 0.0)
        self.assertEqual(lines[0]["payer_id"], self.payer_bureau.id)

    def test_most_specific_rule_and_validity(self):
        care_path = self.svc_care.categ_id.parent_path
        lines, _problems = self._split(
            self.cat_alone,
            [
                {
                    "product_id": self.svc_meal.id,
                    "categ_path": care_path,
                    "date": date(2025, 3, 2),
                    "amount": 20.0,
                },
                {
                    "product_id": self.svc_care.id,
                    "categ_path": care_path,
                    "date": date(2025, 3, 2),
                    "amount": 20.0,
                },
                {
                    "product_id": self.svc_plumb.id,
                    "categ_path": self.svc_plumb.categ_id.parent_path,
                    "date": date(2025, 3, 2),
                    "amount": 20.0,
                },
            ],
        )
        self.assertEqual(
            [ln["amount_subsidy"] for ln in lines], [10.0, 6.0, 0.0]
        )  # product rule 50 %, category rule 30 %, no rule
        self.assertEqual(lines[0]["subsidy_rule_id"], self.rule_alone_meal.id)
        # the meal rule expired on the 15th: later meals fall back to the care 30 %
        self.rule_alone_meal.date_to = date(2025, 3, 15)
        lines, _problems = self._split(
            self.cat_alone,
            [
                {
                    "product_id": self.svc_meal.id,
                    "categ_path": care_path,
                    "date": date(2025, 3, 20),
                    "amount": 20.0,
                }
            ],
        )
        self.assertEqual(lines[0]["amount_subsidy"], 6.0)
        self.assertEqual(lines[0]["subsidy_rule_id"], self.rule_alone_care.id)

    # ------------------------------------------------------------ statements
    def test_statements_and_running_total(self):
        live = self.env["eldercare.statement"]._running_total(
            self.elder_alone, date(2025, 3, 31)
        )
        self.assertEqual(live["period"], "2025-03")
        self.assertEqual(live["line_count"], 5)
        self.assertAlmostEqual(live["amount_total"], 226.67)
        self.assertAlmostEqual(live["amount_subsidy"], 53.0)
        self.assertAlmostEqual(live["amount_elder"], 173.67)
        self.assertEqual(live["currency"], self.currency.name)

        run = self._run()
        self.assertEqual(run.state, "done", run.summary)
        self.assertEqual(run.statement_count, 4)
        alone = self._statement(self.elder_alone)
        self.assertEqual(alone.state, "draft")
        self.assertEqual(alone.line_count, 5)
        self.assertAlmostEqual(alone.amount_elder, 173.67)
        self.assertEqual(alone.community_id, self.community_2)
        dibao = self._statement(self.elder_dibao)
        self.assertEqual(dibao.amount_subsidy, 100.0)
        self.assertEqual(dibao.amount_elder, 35.0)
        free = self._statement(self.elder_free)
        self.assertEqual((free.amount_total, free.amount_elder), (135.0, 0.0))
        normal = self._statement(self.elder_normal)
        override = normal.line_ids.filtered(
            lambda ln: ln.work_order_id == self.order_override
        )
        self.assertEqual(override.price_unit, 30.0)  # reason given: order price
        self.assertEqual(override.price_unit_contract, 45.0)  # provider paid 45
        self.assertEqual(normal.amount_total, 165.0)
        self.assertEqual(self.order_override.statement_id, normal)

        # the same figures once the statement exists (read from it)
        stored = self.env["eldercare.statement"]._running_total(
            self.elder_alone.id, "2025-03-15"
        )
        self.assertEqual(
            {k: stored[k] for k in ("amount_total", "amount_elder", "line_count")},
            {"amount_total": 226.67, "amount_elder": 173.67, "line_count": 5},
        )

    def test_rerun_is_idempotent_and_rebuilds_drafts(self):
        run = self._run()
        lines_before = self.env["eldercare.statement.line"].search_count(
            [("period", "=", self.period)]
        )
        self.assertEqual(lines_before, len(self.orders))
        statement = self._statement(self.elder_normal)
        run = self._run()
        self.assertEqual(run.statement_count, 4)
        self.assertEqual(
            self.env["eldercare.statement.line"].search_count(
                [("period", "=", self.period)]
            ),
            lines_before,
        )
        self.assertEqual(self._statement(self.elder_normal), statement)
        # a late order of the month lands on the (still draft) statement
        self._order(self.elder_normal, self.svc_plumb, self.provider_b, 28)
        self._run()
        self.assertEqual(statement.line_count, 5)
        self.assertAlmostEqual(statement.amount_total, 165.0 + 66.67)
        # the elder moved to a neighbouring community before the rerun: the
        # rebuilt statement and all its lines report under the new one
        neighbour = self.community_2
        self.elder_normal.community_id = neighbour
        self._run()
        self.assertEqual(statement.community_id, neighbour)
        self.assertEqual(statement.line_ids.community_id, neighbour)
        self.assertEqual(statement.line_count, 5)

    def test_bad_input_skips_only_that_elder(self):
        no_category = self.env["res.partner"].create(
            {"name": "孙无类", "is_elder": True, "community_id": self.community.id}
        )
        self._order(no_category, self.svc_care, self.provider_a, 4)
        no_price_elder = self.env["res.partner"].create(
            {
                "name": "周无价",
                "is_elder": True,
                "elder_category_id": self.cat_normal.id,
                "community_id": self.community.id,
            }
        )
        self._order(
            no_price_elder, self.svc_free_price, self.provider_b, 4, price_unit=0.0
        )
        no_payer_cat = self.env["eldercare.elder.category"].create(
            {"name": "无付款方(测试)", "code": "t_nopayer"}
        )
        self.env["eldercare.subsidy.rule"].create(
            {
                "name": "没有付款方",
                "elder_category_id": no_payer_cat.id,
                "percentage": 50,
            }
        )
        no_payer_elder = self.env["res.partner"].create(
            {
                "name": "吴缺方",
                "is_elder": True,
                "elder_category_id": no_payer_cat.id,
                "community_id": self.community.id,
            }
        )
        self._order(no_payer_elder, self.svc_care, self.provider_a, 4)

        run = self._run()
        self.assertEqual(run.state, "done_errors")
        self.assertEqual(run.statement_count, 4)  # the four good elders
        errors = {ln.partner_id: ln.message for ln in run.line_ids}
        self.assertIn("no elder category", errors[no_category])
        self.assertIn("no price", errors[no_price_elder])
        self.assertIn("no subsidy payer", errors[no_payer_elder])
        self.assertIn("孙无类", run.summary)
        for elder in (no_category, no_price_elder, no_payer_elder):
            self.assertFalse(self._statement(elder))

        # fixed data: the rerun bills them and clears the problems
        no_category.elder_category_id = self.cat_normal
        run = self._run()
        self.assertTrue(self._statement(no_category))
        self.assertNotIn(no_category, run.line_ids.partner_id)
        self.assertIn(no_price_elder, run.line_ids.partner_id)

    def test_cancelled_and_unfinished_orders_are_not_billed(self):
        open_order = self._order(
            self.elder_normal, self.svc_care, self.provider_a, 12, state="in_progress"
        )
        self._run()
        statement = self._statement(self.elder_normal)
        self.assertNotIn(open_order, statement.line_ids.work_order_id)
        self.assertEqual(statement.line_count, 4)

    def test_preview_wizard_shows_live_lines(self):
        preview = self.env["eldercare.statement.preview"].create(
            {"partner_id": self.elder_dibao.id, "date": date(2025, 3, 20)}
        )
        self.assertEqual(len(preview.line_ids), 3)
        self.assertEqual(preview.amount_subsidy, 100.0)
        self.assertEqual(preview.amount_elder, 35.0)
        self.assertEqual(preview.line_ids.mapped("amount_subsidy"), [36.0, 36.0, 28.0])

    def test_preview_of_a_closed_month_shows_what_was_billed(self):
        """After the month-end run the running statement shows the statement
        itself: its lines and totals, even if a subsidy changed since."""
        self._run()
        statement = self._statement(self.elder_dibao)
        self.rule_dibao.write({"percentage": 10.0, "monthly_cap": 0})
        preview = self.env["eldercare.statement.preview"].create(
            {"partner_id": self.elder_dibao.id, "date": date(2025, 3, 20)}
        )
        self.assertEqual(
            (preview.amount_total, preview.amount_elder, preview.amount_subsidy),
            (statement.amount_total, 35.0, 100.0),
        )
        self.assertEqual(
            preview.line_ids.mapped("amount_subsidy"),
            statement.line_ids.sorted(lambda ln: (ln.date, ln.id)).mapped(
                "amount_subsidy"
            ),
        )
        self.assertEqual(
            preview.line_ids.work_order_id, statement.line_ids.work_order_id
        )
        self.assertFalse(preview.problems)

    def test_statement_period_is_validated(self):
        with self.assertRaises(ValidationError):
            self.env["eldercare.statement"].create(
                {"partner_id": self.elder_normal.id, "period": "october"}
            )
        statement = self.env["eldercare.statement"].create(
            {
                "partner_id": self.elder_normal.id,
                "period": "2026-02",
                "line_ids": [
                    Command.create(
                        {
                            "work_order_id": self.order_override.id,
                            "date": date(2026, 2, 1),
                            "product_id": self.svc_care.id,
                            "amount": 10.0,
                            "amount_elder": 10.0,
                        }
                    )
                ],
            }
        )
        self.assertEqual(statement.date_to, date(2026, 2, 28))
        self.assertTrue(statement.name.startswith("ST/"))

    def test_free_contracted_service_is_a_zero_line_not_an_error(self):
        self.contract_a.write(
            {
                "line_ids": [
                    Command.create(
                        {"product_id": self.svc_free_price.id, "price_unit": 0.0}
                    )
                ]
            }
        )
        order = self._order(
            self.elder_normal, self.svc_free_price, self.provider_a, 9, price_unit=0
        )
        run = self._run()
        self.assertEqual(run.state, "done", run.summary)
        line = self._statement(self.elder_normal).line_ids.filtered(
            lambda ln: ln.work_order_id == order
        )
        self.assertEqual((line.amount, line.amount_elder), (0.0, 0.0))

    def test_operator_queries_but_does_not_bill(self):
        operator = new_test_user(
            self.env,
            login="ec_operator_billing",
            groups="eldercare_base.group_eldercare_operator",
        )
        env = self.env(user=operator)
        total = env["eldercare.statement"]._running_total(
            self.elder_dibao, date(2025, 3, 31)
        )
        self.assertEqual((total["amount_elder"], total["line_count"]), (35.0, 3))
        action = self.elder_dibao.with_user(
            operator
        ).action_eldercare_running_statement()
        preview = env["eldercare.statement.preview"].browse(action["res_id"])
        self.assertEqual(preview.partner_id, self.elder_dibao)
        self.assertEqual(preview.period, date.today().strftime("%Y-%m"))
        preview = env["eldercare.statement.preview"].create(
            {"partner_id": self.elder_dibao.id, "date": date(2025, 3, 31)}
        )
        self.assertEqual(preview.amount_subsidy, 100.0)
        with self.assertRaises(AccessError):
            env["eldercare.billing.run"].create({"period": "2025-03"})
        with self.assertRaises(AccessError):
            env["eldercare.subsidy.rule"].create(
                {"name": "x", "elder_category_id": self.cat_free.id}
            )

    def test_run_reports_progress_per_chunk(self):
        self.env.company.eldercare_billing_chunk_size = 3
        calls = []

        def notify(cron, *, done, remaining, deactivate=False):
            calls.append((done, remaining))

        with patch.object(type(self.env["ir.cron"]), "_notify_progress", notify):
            self._run()
        self.assertEqual(calls[:3], [(0, 4), (3, 1), (4, 0)])
