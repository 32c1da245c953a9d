from . import test_generic_effectiveness
