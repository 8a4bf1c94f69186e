{
    "name": "Eldercare Family Portal",
    "summary": "Relatives of an elder log into the portal: their elder's alerts, "
    "visits and statements, their own phone and call-out availability",
    "version": "18.0.1.0.0",
    "category": "Services/Eldercare",
    "license": "LGPL-3",
    "author": "Eldercare Call Center",
    "website": "https://github.com/eldercare-call-center",
    "depends": ["eldercare_base", "portal"],
    "data": [
        "security/eldercare_family_security.xml",
        "views/eldercare_relative_views.xml",
        "views/portal_templates.xml",
    ],
    "installable": True,
}
