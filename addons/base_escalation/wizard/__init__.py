from . import escalation_manual_wizard
