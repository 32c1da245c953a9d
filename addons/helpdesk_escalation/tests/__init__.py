from . import test_ticket_escalation
from . import test_manual
from . import test_validation
from . import test_security
from . import test_performance
from . import test_deferred_apply
