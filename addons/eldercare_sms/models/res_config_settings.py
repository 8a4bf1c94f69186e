from odoo import fields, models


def _admin_setting(string, key, **kwargs):
    """A setting stored as the system parameter ``eldercare_sms.<key>``,
    readable and writable by administrators only (it holds the gateway's
    address and credentials)."""
    return fields.Char(
        string,
        config_parameter=f"eldercare_sms.{key}",
        groups="base.group_system",
        **kwargs,
    )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    eldercare_sms_kannel_url = _admin_setting("Kannel sendsms URL", "kannel_url")
    eldercare_sms_kannel_user = _admin_setting("Kannel User", "kannel_user")
    eldercare_sms_kannel_password = _admin_setting("Kannel Password", "kannel_password")
    eldercare_sms_kannel_sender = _admin_setting("Center SMS Number", "kannel_sender")
    eldercare_sms_callback_url = _admin_setting(
        "Odoo Address for Kannel", "callback_url"
    )
    eldercare_sms_quiet_hours = _admin_setting(
        "Quiet Hours",
        "quiet_hours",
        help='Local time window without non-urgent SMS, e.g. "21:00-08:00"; '
        "empty: none. Emergencies are always sent.",
    )
