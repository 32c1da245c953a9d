from . import compliance_policy_wizard
from . import compliance_reject_wizard
from . import guide_override_wizard
