from . import test_ivr_statement
