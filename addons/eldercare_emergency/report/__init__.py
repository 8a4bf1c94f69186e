from . import eldercare_alert_report
