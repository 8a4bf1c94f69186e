from . import eldercare_statement, eldercare_statement_delivery
