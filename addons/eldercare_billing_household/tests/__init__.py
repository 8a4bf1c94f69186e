from . import test_month_e2e
