{
    "name": "Eldercare Telephony (Asterisk)",
    "summary": "Asterisk PBX integration: emergency lines, voice menu, call log, "
    "click-to-call and operator popups for the eldercare call center",
    "version": "18.0.1.0.0",
    "category": "Services",
    "license": "LGPL-3",
    "author": "Eldercare Call Center",
    "website": "https://github.com/eldercare/eldercare",
    "depends": ["eldercare_emergency"],
    "data": [
        "security/eldercare_asterisk_security.xml",
        "security/ir.model.access.csv",
        "data/res_users_data.xml",
        "views/eldercare_call_views.xml",
        "views/eldercare_pbx_line_views.xml",
        "views/eldercare_ivr_option_views.xml",
        "views/res_config_settings_views.xml",
        "views/res_users_views.xml",
        "views/res_partner_views.xml",
        "views/eldercare_alert_views.xml",
        "views/eldercare_alert_cascade_views.xml",
        "views/eldercare_call_simulate_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/eldercare_pbx_line_demo.xml",
        "demo/eldercare_ivr_option_demo.xml",
        "demo/res_users_demo.xml",
        "demo/eldercare_call_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "eldercare_asterisk/static/src/js/call_popup_service.js",
            "eldercare_asterisk/static/src/xml/alert_panel_cascade.xml",
        ],
        "web.assets_tests": [
            "eldercare_asterisk/static/tests/tours/**/*",
        ],
    },
    "installable": True,
    "application": False,
}
