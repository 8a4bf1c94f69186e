from . import eldercare_pbx_bridge
