from . import test_generic_process_map
from . import test_generic_process_map_adaptive
from . import test_generic_effectiveness
from . import test_map_wording
