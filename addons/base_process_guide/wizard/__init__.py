from . import guide_override_wizard
