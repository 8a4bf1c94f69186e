from . import eldercare_bridge_key_wizard, eldercare_call_simulate
