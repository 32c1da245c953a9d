from . import test_generic_policy
from . import test_module_split
