from . import work_order
