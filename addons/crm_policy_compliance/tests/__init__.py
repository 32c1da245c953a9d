from . import test_enforcement
from . import test_override
from . import test_approval
from . import test_audit
from . import test_performance
from . import test_ui
from . import test_views
from . import test_i18n
