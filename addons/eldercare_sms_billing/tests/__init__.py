from . import test_statement_sms
