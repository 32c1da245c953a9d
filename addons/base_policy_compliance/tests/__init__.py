from . import test_generic_policy
