from odoo import SUPERUSER_ID, api

# records of crm_escalation 18.0.1 loaded with noupdate, shipped by base_escalation since
# 18.0.2 under base_escalation ids: the old copies would stay (a second cron, duplicate rules)
MOVED_NOUPDATE_RECORDS = (
    "escalation_cron",
    "escalation_rule_rule_company",
    "escalation_level_rule_company",
    "escalation_clock_rule_company",
    "escalation_log_rule_company",
)


def migrate(cr, version):
    """The escalation engine moved to base_escalation (installed as a new dependency):
    drop the former copies of its records that the update leaves behind."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    for name in MOVED_NOUPDATE_RECORDS:
        record = env.ref(f"crm_escalation.{name}", raise_if_not_found=False)
        if record and env.ref(f"base_escalation.{name}", raise_if_not_found=False):
            record.unlink()
