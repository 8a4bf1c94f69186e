from . import test_statement_delivery_sms, test_statement_sms
