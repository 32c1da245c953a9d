from odoo.tools import SQL


def migrate(cr, version):
    """Visits note whether they are their record's last stay (a record cancelled out of
    its step is a drop-out there), and a stay left is judged late against the expected
    hours its history row names: the next refresh rebuilds them all (the new table of
    the refresh's mark, ``guide.step.visit.refresh``, starts never refreshed). The mark
    was kept in system parameters, whose every write cleared the registry's caches."""
    if not version:
        return
    cr.execute(
        SQL(
            "DELETE FROM ir_config_parameter WHERE key IN %s",
            ("base_process_intelligence.refreshed_at", "base_process_intelligence.history_mark"),
        )
    )
