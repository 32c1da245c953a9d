from odoo.tools import SQL


def migrate(cr, version):
    """Visits and variants name the process version: the next refresh rebuilds them all
    (the history rows name their version since base_process_guide 18.0.2.1.0)."""
    if not version:
        return
    cr.execute(
        SQL(
            "DELETE FROM ir_config_parameter WHERE key = %s",
            "base_process_intelligence.refreshed_at",
        )
    )
