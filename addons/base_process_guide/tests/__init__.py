from . import test_generic_model
