{
    "name": "Eldercare Proactive Care Calls",
    "summary": "Daily check-in calls, care and service reminders and "
    "satisfaction surveys by phone",
    "version": "18.0.1.0.0",
    "category": "Services/Eldercare",
    "license": "LGPL-3",
    "author": "Eldercare Call Center",
    "website": "https://github.com/eldercare-call-center",
    "depends": ["eldercare_asterisk"],
    "data": [
        "security/ir.model.access.csv",
        "data/eldercare_checkin_data.xml",
        "views/eldercare_checkin_views.xml",
        "views/eldercare_checkin_menus.xml",
        "views/eldercare_holiday_views.xml",
        "data/eldercare_care_call_data.xml",
        "views/eldercare_care_call_views.xml",
        "views/eldercare_work_order_survey_views.xml",
        "views/eldercare_care_call_menus.xml",
    ],
    "auto_install": True,
    "installable": True,
}
