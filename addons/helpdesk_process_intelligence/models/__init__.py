from . import helpdesk_ticket_effectiveness
from . import guide_scorecard_report
