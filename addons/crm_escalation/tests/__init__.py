from . import test_validation
from . import test_triggers
from . import test_pause
from . import test_working_time
from . import test_engine
from . import test_manual
from . import test_security
from . import test_performance
