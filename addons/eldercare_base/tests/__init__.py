from . import (
    test_area_elder,
    test_bench,
    test_dispatch,
    test_i18n,
    test_personal_data,
    test_phone,
    test_recurring,
    test_reminders,
    test_security,
    test_tour,
    test_views,
    test_work_order,
)
