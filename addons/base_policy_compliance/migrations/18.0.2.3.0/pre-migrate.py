# "Different approver at each tier" is on for the policies made from now on. The policies
# and requests of the earlier version keep the rule they were made under (one person could
# decide several tiers): the columns are made here, false, before the ORM would fill them
# with the new default.
from odoo.tools import SQL


def migrate(cr, version):
    if not version:
        return
    for table in ("compliance_policy", "compliance_approval_request"):
        cr.execute(
            SQL(
                "ALTER TABLE %(table)s ADD COLUMN IF NOT EXISTS distinct_approvers boolean DEFAULT false",
                table=SQL.identifier(table),
            )
        )
        cr.execute(
            SQL(
                "ALTER TABLE %(table)s ALTER COLUMN distinct_approvers DROP DEFAULT",
                table=SQL.identifier(table),
            )
        )
