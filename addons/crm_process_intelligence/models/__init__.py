from . import crm_lead
from . import guide_scorecard_report
