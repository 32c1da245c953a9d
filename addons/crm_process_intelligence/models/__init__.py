from . import crm_lead_effectiveness
from . import guide_scorecard_report
