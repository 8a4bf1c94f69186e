from . import eldercare_alert, eldercare_statement, eldercare_work_order
