from . import (
    eldercare_care_call,
    eldercare_care_call_reminder,
    eldercare_care_call_survey,
    eldercare_checkin_attempt,
    eldercare_checkin_call,
    eldercare_checkin_plan,
    eldercare_dial_request_care_call,
    eldercare_holiday,
    eldercare_pbx_care_call,
    eldercare_work_order_survey,
    product_template_survey,
    res_partner_reminder_call,
)
