from . import test_http, test_invoice_parity, test_month_end, test_pricing, test_reports
