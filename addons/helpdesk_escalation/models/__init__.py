from . import escalation_rule
from . import escalation_level
from . import escalation_clock
from . import escalation_log
from . import helpdesk_ticket_team
from . import helpdesk_ticket
