from . import (
    test_ami_events,
    test_answer_report,
    test_bench_route,
    test_cascade,
    test_cascade_tour,
    test_dialer,
    test_escalation,
    test_ivr,
    test_jsonrpc,
    test_routing,
    test_tour,
    test_views,
)
