from . import eldercare_gov_summary
