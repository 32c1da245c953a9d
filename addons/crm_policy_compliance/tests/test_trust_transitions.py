from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase

from .common import ComplianceCommon


@tagged("post_install", "-at_install")
class TestTrustTransitionsPolicies(RpcCase, ComplianceCommon):
    """The policies judge every change of a lead's step, not only stage writes:
    a lead won outside its process and brought back is checked, over RPC."""

    def _round_trip(self, lead, stage):
        user, ids = self.user_salesman, lead.ids
        self.xmlrpc(user, "crm.lead", "write", [ids, {"team_id": self.other_team.id}])
        self.xmlrpc(user, "crm.lead", "write", [ids, {"stage_id": stage.id}])
        self.assertFalse(lead.guide_process_id)

    def test_won_outside_the_process_then_brought_back(self):
        self._policy()  # VAT before win, blocking
        lead = self._lead(name="Won elsewhere")
        self._round_trip(lead, self.stage_won)
        fault = self.rpc_fault(self.user_salesman, "crm.lead", "write", [lead.ids, {"team_id": self.team.id}])
        self.assertIn("VAT before win: Set the VAT number.", fault)
        fault = self.rpc_fault(
            self.user_salesman, "crm.lead", "write", [lead.ids, {"team_id": self.team.id}], protocol="json"
        )
        self.assertIn("VAT before win", fault)
        self.env.invalidate_all()
        self.assertEqual(lead.team_id, self.other_team)
        # with the VAT number, coming back is allowed and audited
        lead.partner_id = self.partner_vat
        self.xmlrpc(self.user_salesman, "crm.lead", "write", [lead.ids, {"team_id": self.team.id}])
        self.assertEqual(self._logs(lead).mapped("outcome"), ["passed"])
        self.assertEqual(self._logs(lead).event, "won")

    def test_lost_outside_the_process_then_brought_back(self):
        """A lead marked lost outside its process without a reason is checked by the lost
        policies when brought back, as a lead won elsewhere is by the won ones."""
        self._policy(
            name="Lost reason",
            trigger="lost",
            requirement="[('lost_reason_id', '!=', False)]",
            message="Say why.",
        )
        lead = self._lead(name="Lost elsewhere")
        self.xmlrpc(self.user_salesman, "crm.lead", "write", [lead.ids, {"team_id": self.other_team.id}])
        self.xmlrpc(self.user_salesman, "crm.lead", "write", [lead.ids, {"active": False}])
        fault = self.rpc_fault(self.user_salesman, "crm.lead", "write", [lead.ids, {"team_id": self.team.id}])
        self.assertIn("Lost reason: Say why.", fault)
        self.env.invalidate_all()
        self.assertEqual(lead.team_id, self.other_team)
        self.xmlrpc(
            self.user_salesman,
            "crm.lead",
            "write",
            [lead.ids, {"team_id": self.team.id, "lost_reason_id": self.lost_reason.id}],
        )
        self.assertEqual(self._logs(lead).mapped("outcome"), ["passed"])
        self.assertEqual(self._logs(lead).event, "lost")

    def test_step_policy_on_re_entry(self):
        self._policy(
            name="Proposal needs revenue",
            trigger="stage",
            step_ids=[(6, 0, self.step_proposal.ids)],
            requirement="[('expected_revenue', '>', 0)]",
            message="Estimate the revenue.",
            enforcement="block",
        )
        lead = self._lead(name="Proposal elsewhere")
        self._round_trip(lead, self.stage_proposal)
        fault = self.rpc_fault(self.user_salesman, "crm.lead", "write", [lead.ids, {"team_id": self.team.id}])
        self.assertIn("Proposal needs revenue: Estimate the revenue.", fault)

    def test_stage_emptied_then_target(self):
        self._policy()
        lead = self._lead(name="Emptied")
        self.xmlrpc(self.user_salesman, "crm.lead", "write", [lead.ids, {"stage_id": False}])
        fault = self.rpc_fault(
            self.user_salesman, "crm.lead", "write", [lead.ids, {"stage_id": self.stage_won.id}]
        )
        self.assertIn("VAT before win", fault)

    def test_won_write_on_a_mixed_recordset_is_judged_once(self):
        """crm's write() calls super() twice when some leads are already won."""
        self._policy(requirement="[('expected_revenue', '>=', 0)]", name="Any win")
        won = self._lead(name="Already won", partner_id=self.partner_vat.id)
        won.write({"stage_id": self.stage_won.id})
        moving = self._lead(name="Now won", partner_id=self.partner_vat.id)
        history_before = self.env["guide.history"].search_count([("res_id", "in", (won | moving).ids)])
        (won | moving).with_user(self.user_salesman).write({"stage_id": self.stage_won.id})
        self.assertEqual(self._logs(moving).mapped("outcome"), ["passed"])
        self.assertEqual(len(self._logs(won)), 1)  # from its own win, not again
        self.assertEqual(
            self.env["guide.history"].search_count([("res_id", "in", (won | moving).ids)]), history_before + 1
        )
