from . import compliance_policy
from . import compliance_policy_version
from . import compliance_log
from . import compliance_approval_request
from . import guide_deviation
from . import guide_mixin
from . import compliance_policy_milestone
from . import res_users
