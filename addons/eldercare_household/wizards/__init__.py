from . import satisfaction_wizard
