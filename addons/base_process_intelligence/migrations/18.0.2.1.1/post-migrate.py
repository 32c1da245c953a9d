from odoo.tools import SQL


def migrate(cr, version):
    """Variants note when their first override happened in their path (the conformance
    names where a record first left the design): the next refresh rebuilds them all."""
    if not version:
        return
    cr.execute(
        SQL(
            "DELETE FROM ir_config_parameter WHERE key = %s",
            "base_process_intelligence.refreshed_at",
        )
    )
