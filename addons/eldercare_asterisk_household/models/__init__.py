from . import eldercare_call, eldercare_ivr_option, eldercare_pbx_bridge
