from . import (
    test_http,
    test_month_end,
    test_pricing,
    test_reports,
    test_statement_access,
)
