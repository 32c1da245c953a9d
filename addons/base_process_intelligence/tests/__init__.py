from . import test_generic_process_map
