from odoo.tests import HttpCase, tagged

from .common import ComplianceCommon


@tagged("post_install", "-at_install")
class TestTrustDecisionUi(HttpCase, ComplianceCommon):
    """A move held for approval in the browser: the request form opens directly (one dialog)."""

    def _large_proposals_policy(self):
        return self._policy(
            name="Large proposals",
            trigger="stage",
            step_ids=[(6, 0, self.step_proposal.ids)],
            requirement="[('expected_revenue', '<=', 50000)]",
            message="Proposals above 50,000 need approval.",
            enforcement="approval",
            tier_ids=[(0, 0, {"name": "Team leader", "approver_type": "team_leader"})],
        )

    def test_kanban_drag_held_for_approval(self):
        self._large_proposals_policy()
        admin = self.env.ref("base.user_admin")
        lead = self._lead(name="Tour kanban big deal", expected_revenue=90000, user_id=admin.id)
        with self.assertNoLogs("odoo.http", "ERROR"):
            self.start_tour(
                "/odoo/action-crm.crm_lead_action_pipeline",
                "crm_policy_compliance_kanban_tour",
                login="admin",
            )
        request = self.Request.search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)])
        self.assertEqual(request.state, "pending")
        self.assertEqual(request.note, "Framework contract")
        self.assertEqual(lead.stage_id, self.stage_new)

    def test_kanban_drag_past_a_gate_held_for_approval(self):
        """One dialog for a move that needs a gate override and an approval."""
        self._large_proposals_policy()
        self.step_new.write(
            {"gate_mode": "override", "item_ids": [(0, 0, {"name": "NDA signed", "mandatory": True})]}
        )
        admin = self.env.ref("base.user_admin")
        lead = self._lead(name="Tour gated big deal", expected_revenue=90000, user_id=admin.id)
        with self.assertNoLogs("odoo.http", "ERROR"):
            self.start_tour(
                "/odoo/action-crm.crm_lead_action_pipeline",
                "crm_policy_compliance_gate_approval_tour",
                login="admin",
            )
        request = self.Request.search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)])
        self.assertEqual(request.state, "pending")
        self.assertEqual(request.note, "Customer in a hurry")
        self.assertEqual(request.guide_bypassed_items, "NDA signed")
        self.assertEqual(lead.stage_id, self.stage_new)

    def test_won_button_held_for_approval(self):
        self._policy(
            name="Large wins",
            trigger="won",
            requirement="[('expected_revenue', '<=', 50000)]",
            message="Wins above 50,000 need approval.",
            enforcement="approval",
            tier_ids=[(0, 0, {"name": "Team leader", "approver_type": "team_leader"})],
        )
        admin = self.env.ref("base.user_admin")
        lead = self._lead(name="Tour won deal", expected_revenue=90000, user_id=admin.id)
        with self.assertNoLogs("odoo.http", "ERROR"):
            self.start_tour(
                f"/odoo/action-crm.crm_lead_action_pipeline/{lead.id}",
                "crm_policy_compliance_won_tour",
                login="admin",
            )
        request = self.Request.search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)])
        self.assertEqual((request.state, request.event), ("pending", "won"))
        self.assertEqual(lead.stage_id, self.stage_new)
