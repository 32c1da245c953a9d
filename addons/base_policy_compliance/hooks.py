from odoo.addons.base_process_guide.tools.module_split import take_over_xml_ids


def pre_init_hook(env):
    """On a database installed before 18.0.2.0.0, the policy engine's records belonged to
    ``crm_policy_compliance``: take them over (see ``base_process_guide/tools/module_split.py``)."""
    take_over_xml_ids(env, "crm_policy_compliance", "base_policy_compliance")
