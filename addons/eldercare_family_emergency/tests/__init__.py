from . import test_family_alerts
