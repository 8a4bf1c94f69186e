{
    "name": "Eldercare Family Portal - Statements",
    "summary": "Relatives see their elder's monthly statements, paid status and "
    "PDF in the family portal",
    "version": "18.0.1.0.0",
    "category": "Services/Eldercare",
    "license": "LGPL-3",
    "author": "Eldercare Call Center",
    "website": "https://github.com/eldercare-call-center",
    # the emergency glue too: the family portal tour shows alerts, visits and
    # statements together (the product always installs the emergency addon)
    "depends": ["eldercare_family_emergency", "eldercare_billing"],
    "data": ["views/portal_templates.xml"],
    "assets": {
        "web.assets_tests": [
            "eldercare_family_billing/static/tests/tours/**/*",
        ],
    },
    "auto_install": True,
    "installable": True,
}
