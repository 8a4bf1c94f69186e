from . import (
    test_access,
    test_alert_flow,
    test_deadlines,
    test_intake,
    test_pending_popups,
    test_raise_from_call,
    test_report,
    test_role_screens,
    test_tour,
)
