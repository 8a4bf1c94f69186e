{
    "name": "Eldercare Household Services",
    "summary": "Household service requests (nanny, repairs, deliveries) dispatched to "
    "contracted providers, with a provider portal and satisfaction follow-up",
    "version": "18.0.1.0.0",
    "category": "Services",
    "license": "LGPL-3",
    "author": "Eldercare Call Center",
    "depends": ["eldercare_base", "portal"],
    "data": [
        "security/ir.model.access.csv",
        "security/eldercare_household_security.xml",
        "data/ir_sequence_data.xml",
        "data/mail_activity_type_data.xml",
        "data/service_key_data.xml",
        "data/auth_signup_data.xml",
        "wizards/satisfaction_wizard_views.xml",
        "views/service_key_views.xml",
        "views/service_request_views.xml",
        "views/work_order_views.xml",
        "views/res_company_views.xml",
        "views/portal_templates.xml",
        "views/portal_signature_templates.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/provider_demo.xml",
        "demo/service_request_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "eldercare_household/static/tests/tours/**/*",
        ],
    },
    "installable": True,
    "application": False,
}
