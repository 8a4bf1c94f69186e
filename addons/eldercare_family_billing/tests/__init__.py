from . import test_family_statements, test_family_tour
