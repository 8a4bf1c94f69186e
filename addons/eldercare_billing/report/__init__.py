from . import billing_xlsx, eldercare_elder_report, eldercare_work_order_report
