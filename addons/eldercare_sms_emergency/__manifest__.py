{
    "name": "Eldercare SMS for Emergency Alerts",
    "summary": "Relatives texted when an alert is raised, confirmed and resolved, "
    "and when a cascade call is not answered",
    "version": "18.0.1.0.0",
    "category": "Services/Eldercare",
    "license": "LGPL-3",
    "author": "Eldercare Call Center",
    "website": "https://github.com/eldercare-call-center",
    "depends": ["eldercare_sms", "eldercare_emergency"],
    "data": [
        "data/sms_template_data.xml",
        "views/eldercare_alert_views.xml",
    ],
    "auto_install": True,
    "installable": True,
}
