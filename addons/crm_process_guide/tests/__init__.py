from . import test_process_matching
from . import test_gate
from . import test_checklist
from . import test_history
from . import test_validation
from . import test_hints
from . import test_security
from . import test_performance
