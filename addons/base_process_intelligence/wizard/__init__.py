from . import guide_compare_wizard
