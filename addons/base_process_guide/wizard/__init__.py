from . import guide_override_wizard
from . import guide_alternate_wizard
from . import guide_adaptive_wizard
