from . import test_process_map
from . import test_ui
