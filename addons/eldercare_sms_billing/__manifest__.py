{
    "name": "Eldercare SMS for Billing",
    "summary": "Elders and their relatives texted when the monthly statement is ready",
    "version": "18.0.1.0.0",
    "category": "Services/Eldercare",
    "license": "LGPL-3",
    "author": "Eldercare Call Center",
    "website": "https://github.com/eldercare-call-center",
    "depends": ["eldercare_sms", "eldercare_billing"],
    "data": ["data/sms_template_data.xml"],
    "auto_install": True,
    "installable": True,
}
