from odoo.tests import HttpCase, tagged

from .common import ComplianceCommon


@tagged("post_install", "-at_install")
class TestUi(HttpCase, ComplianceCommon):
    def test_held_move_and_approval_request(self):
        self._policy(
            name="Large proposals",
            trigger="stage",
            step_ids=[(6, 0, self.step_proposal.ids)],
            requirement="[('expected_revenue', '<=', 50000)]",
            message="Proposals above 50,000 need approval.",
            enforcement="approval",
            tier_ids=[(0, 0, {"name": "Team leader", "approver_type": "team_leader"})],
        )
        admin = self.env.ref("base.user_admin")
        lead = self._lead(name="Tour big deal", expected_revenue=90000, user_id=admin.id)
        self.start_tour(
            f"/odoo/action-crm.crm_lead_action_pipeline/{lead.id}",
            "crm_policy_compliance_tour",
            login="admin",
        )
        request = self.Request.search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)])
        self.assertEqual(request.state, "pending")
        self.assertEqual(request.requester_id, admin)
        self.assertEqual(request.note, "Strategic account, first order of a framework contract")
        self.assertEqual(request.current_approver_ids, self.user_leader)
        self.assertEqual(lead.stage_id, self.stage_new)
        self.assertTrue(lead.compliance_awaiting_approval)

    def test_inline_approval_by_the_manager(self):
        self._policy(
            name="Large proposals",
            trigger="stage",
            step_ids=[(6, 0, self.step_proposal.ids)],
            requirement="[('expected_revenue', '<=', 50000)]",
            message="Proposals above 50,000 need approval.",
            enforcement="approval",
            tier_ids=[(0, 0, {"name": "Team leader", "approver_type": "team_leader"})],
        )
        lead = self._lead(name="Tour big deal", expected_revenue=90000).with_user(self.user_salesman)
        request = lead._compliance_request_approval({"stage_id": self.stage_proposal.id}, "Strategic account")
        self.start_tour(
            "/odoo/action-crm_policy_compliance.compliance_approval_request_action_to_approve",
            "crm_policy_compliance_approve_tour",
            login=self.user_leader.login,
        )
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.decided_by_id, self.user_leader)
        self.assertEqual(lead.stage_id, self.stage_proposal)

    def test_lost_in_one_dialog_as_a_salesperson(self):
        self._policy(
            name="Lost reason",
            trigger="lost",
            requirement="[('lost_reason_id', '!=', False)]",
            message="Say why the deal is lost.",
        )
        reason = self.env["crm.lost.reason"].create({"name": "Budget frozen"})
        lead = self._lead(name="Tour lost deal")
        self.start_tour(
            f"/odoo/action-crm.crm_lead_action_pipeline/{lead.id}",
            "crm_policy_compliance_lost_tour",
            login=self.user_salesman.login,
        )
        self.assertFalse(lead.active)
        self.assertEqual(lead.lost_reason_id, reason)
        # no refused attempt on the way: the dialog asked for the reason first
        self.assertEqual(self._logs(lead).mapped("outcome"), ["passed"])

    def test_step_tags_short_beside_their_process(self):
        self.process.name = "B2B Sales"
        self.step_proposal.name = "Tag Qualif"
        policy = self._policy(trigger="stage", step_ids=[(6, 0, self.step_proposal.ids)])
        url = f"/odoo/action-crm_policy_compliance.compliance_policy_action/{policy.id}"
        self.start_tour(url, "guide_step_tags_tour", login="admin")
