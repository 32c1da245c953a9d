from odoo import SUPERUSER_ID, api
from odoo.tools import SQL
from odoo.tools.sql import column_exists

# tables that copied the policy snapshot into each row before policy versions existed
SNAPSHOT_TABLES = ("compliance_log", "compliance_approval_request")


def migrate(cr, version):
    """Audit rows and approval requests reference an immutable policy version instead of
    copying its snapshot: freeze one version per distinct (policy, snapshot), point the rows
    at it, drop the copied columns, and freeze the current version of every policy."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    Version = env["compliance.policy.version"]
    tables = [table for table in SNAPSHOT_TABLES if column_exists(cr, table, "policy_snapshot")]
    snapshots = set()
    for table in tables:
        cr.execute(
            SQL(
                "SELECT DISTINCT policy_id, policy_snapshot FROM %s WHERE policy_snapshot IS NOT NULL",
                SQL.identifier(table),
            )
        )
        snapshots.update(cr.fetchall())
    policies = env["compliance.policy"].with_context(active_test=False, lang=None)
    existing = set(policies.search([]).ids)
    keys = sorted(snapshots, key=lambda key: (key[0] or 0, key[1]))
    companies = {policy.id: policy.company_id.id for policy in policies.browse(existing)}
    versions = Version.create(
        [
            Version._compliance_version_vals(
                snapshot,
                policy_id=policy_id if policy_id in existing else False,
                company_id=companies.get(policy_id, False),
            )
            for policy_id, snapshot in keys
        ]
    )
    frozen = {key: version.id for key, version in zip(keys, versions, strict=True)}
    if frozen:
        cr.execute(
            "CREATE TEMP TABLE compliance_version_map (policy_id int, snapshot text, version_id int) "
            "ON COMMIT DROP"
        )
        cr.execute(
            SQL(
                "INSERT INTO compliance_version_map SELECT * FROM unnest(%s::int[], %s::text[], %s::int[])",
                [key[0] for key in frozen],
                [key[1] for key in frozen],
                list(frozen.values()),
            )
        )
    for table in tables:
        if frozen:
            cr.execute(
                SQL(
                    "UPDATE %s t SET policy_version_id = m.version_id FROM compliance_version_map m "
                    "WHERE t.policy_snapshot = m.snapshot AND t.policy_id IS NOT DISTINCT FROM m.policy_id",
                    SQL.identifier(table),
                )
            )
        cr.execute(SQL("ALTER TABLE %s DROP COLUMN policy_snapshot", SQL.identifier(table)))
    if column_exists(cr, "compliance_log", "policy_version"):
        cr.execute("ALTER TABLE compliance_log DROP COLUMN policy_version")
    # the current rule of each policy: reuse the version frozen from the rows when it is the same
    for policy in policies.search([("version_id", "=", False)]):
        version_id = frozen.get((policy.id, policy._policy_snapshot()))
        if version_id:
            cr.execute(
                SQL("UPDATE compliance_policy SET version_id = %s WHERE id = %s", version_id, policy.id)
            )
        else:
            policy._policy_freeze_version()
    env.registry.clear_cache()
