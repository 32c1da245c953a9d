from . import test_process_map
