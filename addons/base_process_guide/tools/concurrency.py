import logging

from psycopg2 import errors

from odoo.tools import SQL

_logger = logging.getLogger("odoo.sql_db")

CONFLICTS = (errors.SerializationFailure, errors.LockNotAvailable)


def execute_handled(cr, query):
    """Execute ``query`` where a concurrency error (serialization failure, lock) is handled:
    by the caller (a job retried at its next run) or by Odoo retrying the request. Such an
    error is raised without the cursor's ERROR line ("bad query"); any other one is logged
    as the cursor logs it."""
    try:
        cr.execute(query, log_exceptions=False)
    except CONFLICTS:
        raise
    except Exception as exc:
        _logger.error("bad query: %s\nERROR: %s", query.code, exc)
        raise


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


def lock_free_rows(records):
    """For a scheduled job that writes ``records`` and can leave some to its next run: lock
    the rows of ``records`` that no other transaction holds (``FOR NO KEY UPDATE SKIP
    LOCKED``) and return these records. A row a user's transaction is changing is skipped,
    not waited for; one changed and committed since this transaction began is skipped too
    (writing it would fail with a serialization error). Nothing is logged as an error."""
    if not records.ids:
        return records
    try:
        return records.browse(_lock_free_ids(records, records.ids))
    except CONFLICTS as exc:
        # a row changed since this transaction began: the others one by one
        _logger.debug("Locking %s rows met a concurrent change (%s): one by one", records._name, exc)
    locked = []
    for record_id in records.ids:
        try:
            locked += _lock_free_ids(records, [record_id])
        except CONFLICTS:
            continue
    return records.browse(locked)


def _lock_free_ids(records, ids):
    cr = records.env.cr
    with cr.savepoint(flush=False):
        cr.execute(
            SQL(
                "SELECT id FROM %s WHERE id IN %s ORDER BY id FOR NO KEY UPDATE SKIP LOCKED",
                SQL.identifier(records._table),
                tuple(ids),
            ),
            log_exceptions=False,
        )
        return [row[0] for row in cr.fetchall()]
