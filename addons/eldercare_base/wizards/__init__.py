from . import eldercare_work_order_decline
