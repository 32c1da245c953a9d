from . import guide_process
from . import guide_step
from . import guide_history
from . import helpdesk_ticket
from . import helpdesk_ticket_stage
from . import helpdesk_scope
