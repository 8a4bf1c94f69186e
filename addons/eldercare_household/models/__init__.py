from . import (
    res_company,
    service_key,
    service_request,
    service_request_dispatch,
    service_request_phone,
    service_request_proposal,
    work_order,
    work_order_signature,
)
