{
    "name": "Eldercare Billing / Household",
    "summary": "Glue: the provider portal's work orders link to their settlement",
    "version": "18.0.1.0.0",
    "category": "Services",
    "license": "LGPL-3",
    "author": "Eldercare Call Center",
    "website": "https://github.com/eldercare-call-center",
    "depends": ["eldercare_billing", "eldercare_household"],
    "data": ["views/portal_templates.xml"],
    "installable": True,
    "auto_install": True,
    "application": False,
}
