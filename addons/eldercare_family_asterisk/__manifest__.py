{
    "name": "Eldercare Family Portal - Responder Cascade",
    "summary": "A relative who accepts a call-out in the family portal stops the "
    "responder cascade",
    "version": "18.0.1.0.0",
    "category": "Services/Eldercare",
    "license": "LGPL-3",
    "author": "Eldercare Call Center",
    "website": "https://github.com/eldercare-call-center",
    "depends": ["eldercare_family_emergency", "eldercare_asterisk"],
    "auto_install": True,
    "installable": True,
}
