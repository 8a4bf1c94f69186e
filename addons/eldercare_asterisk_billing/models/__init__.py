from . import (
    eldercare_care_call_payment_reminder,
    eldercare_dial_request_payment_reminder,
    eldercare_pbx_bridge,
    eldercare_statement_reminder,
)
