"""Helpers of the ``test_trust_access*`` suites: rows about records, read per role over RPC.

``audit_rows(env, records)`` writes, as the engine does (superuser), one row of
every audit model installed about each record; ``assert_reads_rows_of`` then
checks over XML-RPC that a user searches, reads and groups exactly the rows
of the records they can read.
"""

from odoo import fields

from .rpc_common import RpcError

# audit models whose rows are readable exactly where their record is
AUDIT_MODELS = (
    "guide.history",
    "guide.deviation",
    "guide.line",
    "guide.feedback",
    "guide.hint.feedback",
    "escalation.log",
    "escalation.clock",
    "compliance.log",
    "compliance.approval.request",
)


def _row_vals(env, model_name, record):
    company_id = record.company_id.id
    common = {"res_model": record._name, "res_id": record.id, "company_id": company_id}
    if model_name == "guide.history":
        return {**common, "direction": "initial", "gate_result": "free", "date": fields.Datetime.now()}
    if model_name == "guide.deviation":
        return {**common, "kind": "gate", "rule_name": "Gate", "reason": "Because", "user_id": env.uid}
    if model_name == "guide.line":
        step = record.guide_step_id or env["guide.step"].search([("model_name", "=", record._name)], limit=1)
        return {**common, "step_id": step.id, "name": "Audit item", "completion": "manual"}
    if model_name == "guide.feedback":
        process = record.guide_process_id or env["guide.process"].search(
            [("model_name", "=", record._name)], limit=1
        )
        return {"res_model": record._name, "res_id": record.id, "name": "Idea", "process_id": process.id}
    if model_name == "guide.hint.feedback":
        hint = env["guide.hint"].create({"name": "Hint", "model_name": record._name})
        return {**common, "hint_id": hint.id, "user_id": env.uid, "kind": "ack"}
    if model_name == "escalation.log":
        return {**common, "kind": "escalation", "trigger": "auto", "outcome": "done"}
    if model_name == "escalation.clock":
        rule = env["escalation.rule"].with_context(active_test=False).search([], limit=1)
        return {**common, "rule_id": rule.id, "state": "done"}
    if model_name == "compliance.log":
        return {**common, "policy_name": "Policy", "event": "stage", "outcome": "passed"}
    if model_name == "compliance.approval.request":
        return {**common, "name": "REQ", "requester_id": env.ref("base.user_root").id}
    raise ValueError(model_name)


def audit_rows(env, records, models=AUDIT_MODELS):
    """{model name: {record: row}} for every installed audit model, written as superuser."""
    env = env(su=True)
    rows = {}
    for model_name in models:
        if model_name not in env:
            continue
        rows[model_name] = {
            record: env[model_name].create(_row_vals(env, model_name, record)) for record in records
        }
    return rows


class TrustAccessMixin:
    """For ``RpcCase`` classes: row visibility per user."""

    def assert_reads_rows_of(self, user, rows, readable):
        """``user`` searches, reads and read_groups exactly the rows of ``readable`` records."""
        readable = {(record._name, record.id) for record in readable}
        for model_name, by_record in rows.items():
            all_ids = [row.id for row in by_record.values()]
            expected = sorted(
                row.id for record, row in by_record.items() if (record._name, record.id) in readable
            )
            with self.subTest(user=user.login, model=model_name):
                found = self.xmlrpc(user, model_name, "search", [[("id", "in", all_ids)]])
                self.assertEqual(sorted(found), expected)
                groups = self.xmlrpc(
                    user, model_name, "read_group", [[("id", "in", all_ids)], ["res_id"], ["res_id"]]
                )
                self.assertEqual(sum(group["res_id_count"] for group in groups), len(expected))
                if expected:
                    read = self.xmlrpc(user, model_name, "read", [expected, ["res_id"]])
                    self.assertEqual(sorted(row["id"] for row in read), expected)
                for record, row in by_record.items():
                    if (record._name, record.id) not in readable:
                        with self.assertRaises(RpcError):
                            self.xmlrpc(user, model_name, "read", [row.ids, ["res_id"]])
