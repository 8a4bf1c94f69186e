{
    "name": "Eldercare Telephony (Asterisk)",
    "summary": "Asterisk PBX integration: emergency lines, IVR, call log, "
    "click-to-call and operator popups for the eldercare call center",
    "version": "18.0.1.0.0",
    "category": "Services",
    "license": "LGPL-3",
    "author": "Eldercare Call Center",
    "website": "https://github.com/eldercare/eldercare",
    "depends": ["eldercare_emergency"],
    "data": [],
    "demo": [],
    "installable": True,
    "application": False,
}
