from . import (
    res_company,
    service_key,
    service_request,
    work_order,
    work_order_signature,
)
