from . import test_checkin
