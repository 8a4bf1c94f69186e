{
    "name": "Eldercare SMS (Kannel)",
    "summary": "Odoo's SMS queue sent through a Kannel gateway: delivery reports, "
    "replies, per-recipient language, opt-out and quiet hours",
    "version": "18.0.1.0.0",
    "category": "Services/Eldercare",
    "license": "LGPL-3",
    "author": "Eldercare Call Center",
    "website": "https://github.com/eldercare-call-center",
    "depends": ["sms", "eldercare_base"],
    "external_dependencies": {"python": ["requests", "pytz"]},
    "data": [
        "security/ir.model.access.csv",
        "data/ir_config_parameter_data.xml",
        "data/ir_cron_data.xml",
        "data/sms_template_data.xml",
        "views/sms_sms_views.xml",
        "views/eldercare_sms_inbound_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/menus.xml",
    ],
    "installable": True,
}
