from .ami_client import AmiClient, AmiError
from .savepoint import keep_hooks_savepoint
