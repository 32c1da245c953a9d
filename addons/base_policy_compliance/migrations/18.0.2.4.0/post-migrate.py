# A policy version now keeps the policy's approval tiers and options (who may override or
# approve). The current version of each policy gets them from the policy: changing a tier,
# an approver or an option has always made a new version, so what the policy says now is
# what applied for the whole life of its current version. Earlier versions say "not
# recorded".
import json

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    policies = (
        env["compliance.policy"]
        .with_context(active_test=False, lang=None)
        .search([("version_id", "!=", False)])
    )
    for policy in policies:
        data = json.loads(policy.version_id.snapshot or "{}")
        if "tiers" in data:
            continue
        data.update(policy._policy_approval_snapshot())
        cr.execute(
            SQL(
                "UPDATE compliance_policy_version SET snapshot = %s WHERE id = %s",
                json.dumps(data, ensure_ascii=False),
                policy.version_id.id,
            )
        )
    env.registry.clear_cache()
