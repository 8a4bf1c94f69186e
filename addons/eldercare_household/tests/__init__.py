from . import test_portal, test_portal_tour, test_service_key, test_service_request
