from odoo.tools import SQL

# The checklist lines and the stage history no longer keep the access log, and a line's
# process is its step's (issue 12: foreign keys checked row by row at every move). As
# Odoo does for removed columns, the columns stay with what they hold (the history is
# an audit trail); only their foreign keys go, which the ORM would leave in place.
DROPPED_KEYS = {
    "guide_line": ("create_uid", "write_uid", "process_id"),
    "guide_history": ("create_uid", "write_uid"),
}


def migrate(cr, version):
    if not version:
        return
    names = []
    for table, columns in DROPPED_KEYS.items():
        for column in columns:
            name = f"{table}_{column}_fkey"
            names.append(name)
            cr.execute(
                SQL(
                    "ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", SQL.identifier(table), SQL.identifier(name)
                )
            )
    cr.execute("DELETE FROM ir_model_constraint WHERE type = 'f' AND name = ANY(%s)", [names])
