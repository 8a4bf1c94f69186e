from . import test_controllers, test_kannel_transport, test_templates
