from . import test_alert_sms
