from . import test_ivr_household
