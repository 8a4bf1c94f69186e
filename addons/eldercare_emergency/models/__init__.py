from . import (
    eldercare_alert,
    eldercare_alert_dashboard,
    eldercare_alert_deadline,
    eldercare_alert_intake,
    eldercare_alert_push,
    eldercare_alert_state,
    eldercare_alert_type,
    eldercare_operator_push,
    eldercare_work_order,
    res_partner,
    res_users,
)
