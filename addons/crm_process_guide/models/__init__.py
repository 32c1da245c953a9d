from . import guide_process
from . import guide_step
from . import guide_history
from . import crm_lead
from . import crm_stage
from . import crm_team
