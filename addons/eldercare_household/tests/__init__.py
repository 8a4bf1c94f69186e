from . import (
    test_portal,
    test_portal_tour,
    test_role_screens,
    test_service_key,
    test_service_request,
)
