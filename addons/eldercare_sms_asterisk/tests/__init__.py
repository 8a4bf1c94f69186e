from . import test_cascade_sms
