from . import test_effectiveness
