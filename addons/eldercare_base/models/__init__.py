from . import (
    eldercare_area,
    eldercare_elder_category,
    eldercare_health,
    eldercare_phone,
    eldercare_provider_contract,
    eldercare_provider_staff,
    eldercare_recurring_need,
    eldercare_relative,
    eldercare_work_order,
    product_template,
    res_partner,
    res_users,
)
