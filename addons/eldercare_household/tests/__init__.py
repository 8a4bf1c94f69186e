from . import (
    test_phone_request,
    test_portal,
    test_portal_bounds,
    test_portal_signature,
    test_portal_tour,
    test_role_screens,
    test_service_key,
    test_service_request,
)
