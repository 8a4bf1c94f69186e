from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    eldercare_sms_kannel_url = fields.Char(
        "Kannel sendsms URL",
        config_parameter="eldercare_sms.kannel_url",
        groups="base.group_system",
    )
    eldercare_sms_kannel_user = fields.Char(
        "Kannel User",
        config_parameter="eldercare_sms.kannel_user",
        groups="base.group_system",
    )
    eldercare_sms_kannel_password = fields.Char(
        "Kannel Password",
        config_parameter="eldercare_sms.kannel_password",
        groups="base.group_system",
    )
    eldercare_sms_kannel_sender = fields.Char(
        "Center SMS Number",
        config_parameter="eldercare_sms.kannel_sender",
        groups="base.group_system",
    )
    eldercare_sms_callback_url = fields.Char(
        "Odoo Address for Kannel",
        config_parameter="eldercare_sms.callback_url",
        groups="base.group_system",
    )
    eldercare_sms_quiet_hours = fields.Char(
        "Quiet Hours",
        config_parameter="eldercare_sms.quiet_hours",
        help='Local time window without non-urgent SMS, e.g. "21:00-08:00"; '
        "empty: none. Emergencies are always sent.",
        groups="base.group_system",
    )
