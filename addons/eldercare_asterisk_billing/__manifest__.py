{
    "name": "Eldercare Telephony for Billing",
    "summary": "The voice menu reads out the month's statement; payment reminder calls",
    "version": "18.0.1.0.0",
    "category": "Services/Eldercare",
    "license": "LGPL-3",
    "author": "Eldercare Call Center",
    "website": "https://github.com/eldercare-call-center",
    "depends": ["eldercare_asterisk", "eldercare_billing", "eldercare_care_calls"],
    "data": [
        "views/eldercare_statement_reminder_views.xml",
    ],
    "auto_install": True,
    "installable": True,
}
