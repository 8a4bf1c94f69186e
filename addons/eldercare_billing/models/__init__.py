from . import (
    account_chart_template,
    account_move,
    billing_run,
    product_template,
    res_company,
    res_company_accounting,
    res_config_settings,
    res_partner,
    statement,
    statement_invoice,
    subsidy_rule,
    work_order,
)
