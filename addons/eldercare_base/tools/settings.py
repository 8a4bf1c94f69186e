def admin_setting(field_class, string, parameter, **kwargs):
    """A ``res.config.settings`` field kept in the system parameter
    ``parameter`` that only administrators read and write (the telephony and
    SMS gateways' addresses, credentials and limits)."""
    return field_class(
        string, config_parameter=parameter, groups="base.group_system", **kwargs
    )
