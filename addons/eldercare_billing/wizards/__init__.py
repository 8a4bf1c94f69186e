from . import month_end_wizard, statement_preview, xlsx_export_wizard
