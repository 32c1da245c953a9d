from . import test_ticket_policy
from . import test_i18n
