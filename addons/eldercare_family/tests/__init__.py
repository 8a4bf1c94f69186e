from . import test_family_portal
