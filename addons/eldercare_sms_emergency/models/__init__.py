from . import eldercare_alert
