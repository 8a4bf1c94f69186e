from . import eldercare_statement
