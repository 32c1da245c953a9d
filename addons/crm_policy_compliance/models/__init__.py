from . import crm_lead
from . import compliance_policy
