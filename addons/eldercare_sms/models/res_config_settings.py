from odoo import fields, models

from odoo.addons.eldercare_base.tools import admin_setting


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    eldercare_sms_kannel_url = admin_setting(
        fields.Char, "Kannel sendsms URL", "eldercare_sms.kannel_url"
    )
    eldercare_sms_kannel_user = admin_setting(
        fields.Char, "Kannel User", "eldercare_sms.kannel_user"
    )
    eldercare_sms_kannel_password = admin_setting(
        fields.Char, "Kannel Password", "eldercare_sms.kannel_password"
    )
    eldercare_sms_kannel_sender = admin_setting(
        fields.Char, "Center SMS Number", "eldercare_sms.kannel_sender"
    )
    eldercare_sms_callback_url = admin_setting(
        fields.Char, "Odoo Address for Kannel", "eldercare_sms.callback_url"
    )
    eldercare_sms_quiet_hours = admin_setting(
        fields.Char,
        "Quiet Hours",
        "eldercare_sms.quiet_hours",
        help='Local time window without non-urgent SMS, e.g. "21:00-08:00"; '
        "empty: none. Emergencies are always sent.",
    )
