from . import test_ticket_policy
from . import test_i18n
from . import test_rule_language
from . import test_trust_rpc
from . import test_trust_transitions
from . import test_pipeline
from . import test_milestone
from . import test_config_bounds
