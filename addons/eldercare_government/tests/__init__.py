from . import test_government
