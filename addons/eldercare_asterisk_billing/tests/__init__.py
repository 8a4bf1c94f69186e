from . import test_payment_reminder_call
