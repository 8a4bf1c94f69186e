from . import (
    eldercare_alert,
    eldercare_bridge_status,
    eldercare_call,
    eldercare_ivr_option,
    eldercare_pbx,
    eldercare_pbx_bridge,
    eldercare_pbx_line,
    eldercare_phone,
    eldercare_relative,
    res_config_settings,
    res_partner,
    res_users,
)
