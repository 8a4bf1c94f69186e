{
    "name": "Eldercare Emergency Alerts",
    "summary": "Emergency alerts from one-key calls, IVR and operators: confirm, "
    "notify, dispatch, deadlines, live operator dashboard and popups",
    "version": "18.0.1.0.0",
    "category": "Services/Eldercare",
    "license": "LGPL-3",
    "author": "Eldercare Call Center",
    "depends": ["eldercare_base", "bus", "web"],
    "data": [
        "security/ir.model.access.csv",
        "security/eldercare_emergency_security.xml",
        "data/ir_sequence_data.xml",
        "data/mail_activity_type_data.xml",
        "data/eldercare_alert_type_data.xml",
        "data/ir_cron_data.xml",
        "views/eldercare_alert_views.xml",
        "views/eldercare_alert_report_views.xml",
        "report/eldercare_alert_report_views.xml",
        "views/eldercare_alert_type_views.xml",
        "views/eldercare_work_order_views.xml",
        "views/res_partner_views.xml",
        "views/res_users_views.xml",
        "wizards/eldercare_alert_false_alarm_wizard_views.xml",
        "wizards/eldercare_alert_dispatch_wizard_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/res_users_demo.xml",
        "demo/eldercare_alert_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "eldercare_emergency/static/src/**/*",
        ],
        "web.assets_tests": [
            "eldercare_emergency/static/tests/tours/**/*",
        ],
    },
    "installable": True,
    "application": False,
}
