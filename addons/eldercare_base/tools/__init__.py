from .settings import admin_setting

__all__ = ["admin_setting"]
