from . import portal, portal_signature
