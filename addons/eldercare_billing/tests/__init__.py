from . import test_month_end, test_pricing, test_reports
