{
    "name": "Eldercare Family Portal - Alerts",
    "summary": "Relatives see their elder's alerts and their outcome in the family "
    "portal, and accept an emergency call-out",
    "version": "18.0.1.0.0",
    "category": "Services/Eldercare",
    "license": "LGPL-3",
    "author": "Eldercare Call Center",
    "website": "https://github.com/eldercare-call-center",
    "depends": ["eldercare_family", "eldercare_emergency"],
    "data": ["views/portal_templates.xml"],
    "auto_install": True,
    "installable": True,
}
