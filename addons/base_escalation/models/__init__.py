from . import escalation_rule
from . import escalation_level
from . import escalation_clock
from . import escalation_log
from . import guide_mixin
from . import res_config_settings
from . import escalation_milestone
from . import res_users
