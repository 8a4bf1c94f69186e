from . import (
    account_move,
    billing_run,
    res_company,
    res_config_settings,
    res_partner,
    statement,
    subsidy_rule,
    work_order,
)
