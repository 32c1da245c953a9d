from . import compliance_policy
from . import helpdesk_ticket
