from . import test_generic_model
from . import test_module_split
from . import test_generic_detour
from . import test_generic_adaptive
from . import test_generic_version
from . import test_generic_time_check
from . import test_bulk_insert
