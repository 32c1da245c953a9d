from odoo.addons.base_process_guide.tools.module_split import take_over_xml_ids


def pre_init_hook(env):
    """On a database installed before 18.0.2.0.0, the escalation engine's records belonged
    to ``crm_escalation``: take them over (the cron, the company rules...), so that the
    upgrade updates them in place instead of creating a second copy (see
    ``base_process_guide/tools/module_split.py``)."""
    take_over_xml_ids(env, "crm_escalation", "base_escalation")
