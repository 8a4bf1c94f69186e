{
    "name": "Eldercare Telephony for Household Services",
    "summary": "Voice menu keys that order household services",
    "version": "18.0.1.0.0",
    "category": "Services/Eldercare",
    "license": "LGPL-3",
    "author": "Eldercare Call Center",
    "website": "https://github.com/eldercare-call-center",
    "depends": ["eldercare_asterisk", "eldercare_household"],
    "data": [],
    "auto_install": True,
    "installable": True,
}
