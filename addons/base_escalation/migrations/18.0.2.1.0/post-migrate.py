from odoo.tools import SQL

# Escalation log rows keep the names of their rule and level (``rule_name``,
# ``level_name``), as compliance rows keep their policy's: a deleted rule or level no
# longer leaves its rows unnamed. The rows written before are named from the rules and
# levels that still exist (their source-language name, as the engine writes them); the
# rows of a rule or level deleted before this version have nothing left to name them.
NAMED = {"rule_name": ("rule_id", "escalation_rule"), "level_name": ("level_id", "escalation_level")}


def migrate(cr, version):
    if not version:
        return
    for column, (key, table) in NAMED.items():
        cr.execute(
            SQL(
                """UPDATE escalation_log l SET %(column)s = c.name->>'en_US'
                     FROM %(table)s c
                    WHERE c.id = l.%(key)s AND l.%(column)s IS NULL""",
                column=SQL.identifier(column),
                table=SQL.identifier(table),
                key=SQL.identifier(key),
            )
        )
