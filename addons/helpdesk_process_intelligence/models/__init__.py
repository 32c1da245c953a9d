from . import helpdesk_ticket
from . import guide_scorecard_report
