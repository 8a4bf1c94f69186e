from . import test_portal, test_service_key, test_service_request
