from . import (
    eldercare_alert,
    eldercare_alert_intake,
    eldercare_alert_type,
    eldercare_work_order,
    res_partner,
    res_users,
)
