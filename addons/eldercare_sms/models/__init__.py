from . import (
    eldercare_relative,
    eldercare_sms_inbound,
    eldercare_work_order,
    ir_config_parameter,
    res_config_settings,
    res_partner,
    sms_sms,
    sms_template,
)
