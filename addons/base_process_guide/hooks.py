from odoo.tools import SQL

from .tools.module_split import take_over_xml_ids


def pre_init_hook(env):
    """On a database installed before 18.0.2.0.0, the engine's records belonged to
    ``crm_process_guide``: take them over (see ``tools/module_split.py``), and the
    system parameter of the inline limit of configuration changes follows."""
    take_over_xml_ids(env, "crm_process_guide", "base_process_guide")
    env.cr.execute(
        SQL(
            "UPDATE ir_config_parameter SET key = %s WHERE key = %s",
            "base_process_guide.apply_inline_limit",
            "crm_process_guide.apply_inline_limit",
        )
    )


def post_init_hook(env):
    """Processes made before versions existed get their v1, and their stage history
    rows name it: those of the models guided now; on an upgrade from 18.0.1 the
    bridges' ``end-`` migration scripts do it for theirs."""
    env["guide.process.version"]._guide_version_install()
