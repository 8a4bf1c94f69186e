{
    "name": "Eldercare SMS for the Responder Cascade",
    "summary": "A relative who misses a cascade call is texted; replying 1 "
    "accepts the alert and stops the calls",
    "version": "18.0.1.0.0",
    "category": "Services/Eldercare",
    "license": "LGPL-3",
    "author": "Eldercare Call Center",
    "website": "https://github.com/eldercare-call-center",
    "depends": ["eldercare_sms_emergency", "eldercare_asterisk"],
    "auto_install": True,
    "installable": True,
}
