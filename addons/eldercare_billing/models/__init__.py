from . import (
    account_move,
    account_move_settlement,
    billing_run,
    product_template,
    res_company,
    res_config_settings,
    res_partner,
    statement,
    subsidy_rule,
    work_order,
)
