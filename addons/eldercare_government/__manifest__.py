{
    "name": "Eldercare Government Dashboards",
    "summary": "Read-only officials per area level (community, street, district, "
    "city): alerts, services, subsidies and elders of their area, with a "
    "monthly summary in PDF and XLSX",
    "version": "18.0.1.0.0",
    "category": "Services/Eldercare",
    "license": "LGPL-3",
    "author": "Eldercare Call Center",
    "website": "https://github.com/eldercare-call-center",
    "depends": ["eldercare_base", "eldercare_emergency", "eldercare_billing"],
    "external_dependencies": {"python": ["xlsxwriter"]},
    "data": [
        "security/eldercare_government_security.xml",
        "security/ir.model.access.csv",
        "security/eldercare_government_rules.xml",
        "report/eldercare_gov_summary_report.xml",
        "wizards/eldercare_gov_summary_views.xml",
        "views/eldercare_government_views.xml",
        "views/menus.xml",
    ],
    "installable": True,
}
