from . import test_ivr_statement, test_payment_reminder_call
