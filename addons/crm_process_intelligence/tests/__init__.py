from . import test_process_map
from . import test_ui
from . import test_effectiveness
from . import test_process_map_adaptive
from . import test_i18n
from . import test_process_version
