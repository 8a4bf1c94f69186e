from .ami_client import AmiClient, AmiError
