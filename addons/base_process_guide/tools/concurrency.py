from odoo.tools import SQL


def lock_rows(records):
    """Serialize the actions that check what ``records`` have, then change or add to
    them (an optional task that cannot be added twice, an alternate step entered once, a
    line ticked): their rows are updated in place first, so that a concurrent transaction
    doing the same (a second click, another agent) waits, then fails with a serialization
    error Odoo retries, and the retry sees what the first one did. Not logged as an error:
    Odoo logs the retry at INFO."""
    if not records.ids:
        return
    records.env.cr.execute(
        SQL("UPDATE %s SET id = id WHERE id IN %s", SQL.identifier(records._table), tuple(records.ids)),
        log_exceptions=False,
    )
