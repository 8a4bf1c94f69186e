from . import (
    test_delivery,
    test_http,
    test_invoice_parity,
    test_month_end,
    test_pricing,
    test_reports,
    test_role_screens,
    test_seams,
    test_settlement,
    test_statement_access,
)
