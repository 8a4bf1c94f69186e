from datetime import date, datetime

from odoo import Command


class EldercareBillingDataMixin:
    """Elders, providers, contracts, subsidy rules and work orders for billing
    tests.  Month under test: 2025-03 (``cls.period``)."""

    period = "2025-03"

    @classmethod
    def _setup_billing_month(cls):
        """The start of most billing tests: superuser, no tracking, the billing
        data and the month's work orders."""
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True), su=True)
        cls._setup_billing_data()
        cls._setup_month_orders()

    @classmethod
    def _setup_billing_data(cls):
        env = cls.env
        cls.currency = env.company.currency_id
        Area = env["eldercare.area"]
        city = Area.create({"name": "北京市", "level": "city"})
        district = Area.create(
            {"name": "朝阳区", "level": "district", "parent_id": city.id}
        )
        street = Area.create(
            {"name": "和平街街道", "level": "street", "parent_id": district.id}
        )
        cls.community = Area.create(
            {"name": "和平里社区", "level": "community", "parent_id": street.id}
        )
        cls.community_2 = Area.create(
            {"name": "樱花园社区", "level": "community", "parent_id": street.id}
        )
        Category = env["eldercare.elder.category"]
        cls.cat_free = Category.create({"name": "五保(测试)", "code": "t_wubao"})
        cls.cat_dibao = Category.create({"name": "低保(测试)", "code": "t_dibao"})
        cls.cat_alone = Category.create({"name": "独居(测试)", "code": "t_alone"})
        cls.cat_normal = Category.create({"name": "普通(测试)", "code": "t_normal"})

        ProductCategory = env["product.category"]
        cls.categ_care = ProductCategory.create({"name": "照护(测试)"})
        cls.categ_house = ProductCategory.create({"name": "家政(测试)"})
        Product = env["product.product"]

        def service(name, categ, price):
            return Product.create(
                {
                    "name": name,
                    "type": "service",
                    "is_eldercare_service": True,
                    "categ_id": categ.id,
                    "list_price": price,
                    "taxes_id": [Command.clear()],
                    "supplier_taxes_id": [Command.clear()],
                }
            )

        cls.svc_care = service("居家照护(测试)", cls.categ_care, 50.0)
        cls.svc_meal = service("助餐(测试)", cls.categ_care, 15.0)
        cls.svc_plumb = service("管道疏通(测试)", cls.categ_house, 80.0)
        cls.svc_free_price = service("无价服务(测试)", cls.categ_house, 0.0)

        Partner = env["res.partner"]
        cls.provider_a = Partner.create(
            {
                "name": "安康家政服务有限公司",
                "is_company": True,
                "is_eldercare_provider": True,
            }
        )
        cls.provider_b = Partner.create(
            {
                "name": "夕阳红养老服务中心",
                "is_company": True,
                "is_eldercare_provider": True,
            }
        )
        cls.payer_street = Partner.create(
            {"name": "和平街街道办事处", "is_company": True, "is_subsidy_payer": True}
        )
        cls.payer_bureau = Partner.create(
            {"name": "朝阳区民政局", "is_company": True, "is_subsidy_payer": True}
        )
        Contract = env["eldercare.provider.contract"]
        cls.contract_a = Contract.create(
            {
                "name": "HT-2026-001",
                "provider_id": cls.provider_a.id,
                "date_start": date(2025, 1, 1),
                "state": "active",
                "area_ids": [Command.set([street.id])],
                "line_ids": [
                    Command.create({"product_id": cls.svc_care.id, "price_unit": 45.0}),
                    Command.create({"product_id": cls.svc_meal.id, "price_unit": 12.5}),
                ],
            }
        )
        cls.contract_b = Contract.create(
            {
                "name": "HT-2026-002",
                "provider_id": cls.provider_b.id,
                "date_start": date(2025, 1, 1),
                "state": "active",
                "area_ids": [Command.set([street.id])],
                "line_ids": [
                    Command.create(
                        {"product_id": cls.svc_plumb.id, "price_unit": 66.67}
                    ),
                ],
            }
        )

        def elder(name, category, community=None):
            return Partner.create(
                {
                    "name": name,
                    "is_elder": True,
                    "elder_category_id": category.id if category else False,
                    "community_id": (community or cls.community).id,
                }
            )

        cls.elder_free = elder("王桂兰", cls.cat_free)
        cls.elder_dibao = elder("张秀英", cls.cat_dibao)
        cls.elder_alone = elder("李德明", cls.cat_alone, cls.community_2)
        cls.elder_normal = elder("赵淑芬", cls.cat_normal)

        Rule = env["eldercare.subsidy.rule"]
        cls.rule_free = Rule.create(
            {
                "name": "五保全免",
                "elder_category_id": cls.cat_free.id,
                "percentage": 100.0,
                "payer_id": cls.payer_bureau.id,
            }
        )
        cls.rule_dibao = Rule.create(
            {
                "name": "低保80%封顶100",
                "elder_category_id": cls.cat_dibao.id,
                "percentage": 80.0,
                "monthly_cap": 100.0,
                "payer_id": cls.payer_bureau.id,
            }
        )
        cls.rule_alone_care = Rule.create(
            {
                "name": "独居照护30%",
                "elder_category_id": cls.cat_alone.id,
                "product_categ_id": cls.categ_care.id,
                "percentage": 30.0,
                "payer_id": cls.payer_street.id,
            }
        )
        cls.rule_alone_meal = Rule.create(
            {
                "name": "独居助餐50%",
                "elder_category_id": cls.cat_alone.id,
                "product_ids": [Command.set(cls.svc_meal.ids)],
                "percentage": 50.0,
                "payer_id": cls.payer_street.id,
            }
        )

    @classmethod
    def _two_installments(cls, name, first_percent, first_days, last_days):
        """Payment terms in two installments (percent of the total, days)."""
        return cls.env["account.payment.term"].create(
            {
                "name": name,
                "line_ids": [
                    Command.create(
                        {
                            "value": "percent",
                            "value_amount": percent,
                            "nb_days": days,
                        }
                    )
                    for percent, days in (
                        (first_percent, first_days),
                        (100.0 - first_percent, last_days),
                    )
                ],
            }
        )

    @classmethod
    def _order(cls, elder, product, provider, day, qty=1.0, **extra):
        moment = datetime(2025, 3, day, 4, 0) if isinstance(day, int) else day
        vals = {
            "elder_id": elder.id,
            "product_id": product.id,
            "provider_id": provider.id,
            "quantity": qty,
            "state": "verified",
            "date_scheduled": moment,
            "date_end": moment,
        }
        vals.update(extra)
        return cls.env["eldercare.work.order"].create(vals)

    @classmethod
    def _setup_month_orders(cls):
        """The month: 3 care visits for everybody + extras."""
        order = cls._order
        cls.orders = cls.env["eldercare.work.order"]
        for elder in (
            cls.elder_free,
            cls.elder_dibao,
            cls.elder_alone,
            cls.elder_normal,
        ):
            for day in (3, 10, 17):
                cls.orders |= order(elder, cls.svc_care, cls.provider_a, day)
        # alone: 2 meals (50%) and one plumbing (no rule: elder pays all)
        cls.orders |= order(cls.elder_alone, cls.svc_meal, cls.provider_a, 5, qty=2)
        cls.orders |= order(cls.elder_alone, cls.svc_plumb, cls.provider_b, 6)
        # normal: a price overridden with a reason (elder billed 30, provider 45)
        cls.order_override = order(
            cls.elder_normal,
            cls.svc_care,
            cls.provider_a,
            20,
            price_unit=30.0,
            price_override_reason="老人投诉服务迟到，减价",
        )
        cls.orders |= cls.order_override
