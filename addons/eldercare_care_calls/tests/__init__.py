from . import (
    test_care_call_i18n,
    test_care_call_reminder,
    test_care_call_screens,
    test_care_call_survey,
    test_checkin,
    test_checkin_bench,
)
