from . import test_ticket_guide
from . import test_security
from . import test_performance
from . import test_ui
from . import test_menus
from . import test_stored_state
from . import test_i18n
from . import test_deferred_apply
