from .counts import count_into
from .datetimes import utc_datetime
from .settings import admin_setting

__all__ = ["admin_setting", "count_into", "utc_datetime"]
