from . import test_generic_model
from . import test_module_split
from . import test_generic_detour
from . import test_generic_adaptive
