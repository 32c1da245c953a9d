"""Issue 11, findings 3, 5 and 11 for policies and approvals on leads, over RPC as real users."""

from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase
from odoo.addons.base_process_guide.tests.trust_common import TrustAccessMixin, audit_rows

from .common import ComplianceCommon


@tagged("post_install", "-at_install")
class TestTrustAccessCompliance(TrustAccessMixin, RpcCase, ComplianceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy = cls._policy(
            name="Large proposals",
            trigger="stage",
            step_ids=[(6, 0, cls.step_proposal.ids)],
            requirement="[('expected_revenue', '<=', 50000)]",
            enforcement="approval",
            tier_ids=[
                (
                    0,
                    0,
                    {
                        "sequence": 1,
                        "name": "Director",
                        "approver_type": "users",
                        "user_ids": [(4, cls.user_director.id)],
                    },
                )
            ],
        )

    def _request(self):
        lead = self._lead(expected_revenue=80000)
        # the engine method returns the requests (the public API returns their ids)
        requests = lead.with_user(self.user_salesman)._compliance_request_approval(
            {"stage_id": self.stage_proposal.id}, "Strategic"
        )
        return lead, requests

    def test_approval_tiers_read_by_id_only_where_their_request_is(self):
        """A tier decision is the request's: read by id, as searched, only by who reads its request
        (a colleague who may not read the lead nor the request read its approvers and comments)."""
        lead, request = self._request()
        line_ids = request.line_ids.ids
        self.assertTrue(line_ids)
        for user in (self.user_salesman, self.user_director, self.user_officer):
            read = self.xmlrpc(
                user, "compliance.approval.line", "read", [line_ids, ["approver_ids", "state"]]
            )
            self.assertEqual(sorted(row["id"] for row in read), sorted(line_ids))
        self.assertFalse(
            self.xmlrpc(self.user_salesman2, "compliance.approval.line", "search", [[("id", "in", line_ids)]])
        )
        self.rpc_fault(
            self.user_salesman2, "compliance.approval.line", "read", [line_ids, ["approver_ids", "comment"]]
        )
        # fields of no column of the table (who approves) were read without asking the request
        for fields in (["approver_ids"], ["id"]):
            fault = self.rpc_fault(
                self.user_salesman2, "compliance.approval.line", "read", [line_ids, fields]
            )
            self.assertIn("approval requests you are not allowed to read", fault)

    def test_request_state_is_the_engines(self):
        lead, request = self._request()
        for user in (self.user_salesman, self.user_director, self.user_manager):
            for vals in ({"state": "approved"}, {"applied": True}):
                fault = self.rpc_fault(
                    user,
                    "compliance.approval.request",
                    "write",
                    [request.ids, vals],
                    {"context": {"compliance_request_engine": True}},
                )
                self.assertIn("Approval requests change only", fault)
            self.rpc_fault(
                user, "compliance.approval.line", "write", [request.line_ids.ids, {"state": "approved"}]
            )
        self.assertEqual(request.state, "pending")

    def test_approve_is_for_the_approvers(self):
        lead, request = self._request()
        for user in (self.user_salesman, self.user_salesman2, self.user_manager):
            self.rpc_fault(user, "compliance.approval.request", "action_approve", [request.ids])
            self.rpc_fault(user, "compliance.approval.request", "action_reject", [request.ids, "No"])
        self.assertIs(
            self.xmlrpc(self.user_director, "compliance.approval.request", "action_approve", [request.ids]),
            True,
        )
        self.assertEqual(lead.stage_id, self.stage_proposal)

    def test_request_approval_needs_write_access(self):
        lead = self._lead(expected_revenue=80000, user_id=self.user_salesman2.id)
        self.rpc_fault(
            self.user_salesman,
            "crm.lead",
            "compliance_request_approval",
            [lead.ids, {"stage_id": self.stage_proposal.id}, "Let me"],
        )
        self.assertFalse(self.Request.search([("res_id", "=", lead.id)]))

    def test_checks_and_requests_readable_where_the_lead_is(self):
        lead_own = self._lead()
        lead_other = self._lead(user_id=self.user_salesman2.id)
        rows = audit_rows(
            self.env, lead_own | lead_other, models=("compliance.log", "compliance.approval.request")
        )
        self.assert_reads_rows_of(self.user_salesman, rows, lead_own)
        self.assert_reads_rows_of(self.user_salesman2, rows, lead_other)
        for user in (self.user_leader, self.user_manager, self.user_officer):
            self.assert_reads_rows_of(user, rows, lead_own | lead_other)
        # approvers read the requests they decide, requesters those they made
        lead, request = self._request()
        lead.user_id = self.user_salesman2
        self.assertEqual(
            self.Request.with_user(self.user_salesman).search([("id", "=", request.id)]), request
        )
        self.assertEqual(
            self.Request.with_user(self.user_director).search([("id", "=", request.id)]), request
        )
        self.assertFalse(self.Log.with_user(self.user_salesman).search([("res_id", "=", lead.id)]))
