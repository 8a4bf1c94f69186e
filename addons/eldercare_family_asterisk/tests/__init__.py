from . import test_portal_accept
