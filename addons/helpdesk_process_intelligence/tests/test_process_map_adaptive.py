from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase
from odoo.addons.base_process_intelligence.tests.pi_adaptive_common import AdaptiveCaseMixin

from .common import TicketHandCase


class TicketAdaptiveCase(AdaptiveCaseMixin, TicketHandCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_adaptive_case()

    @classmethod
    def create_adaptive_record(cls, key, name):
        return cls.env["helpdesk.ticket"].create(
            {
                "name": name,
                "description": "<p>PI</p>",
                "team_id": cls.unguided_team.id,
                "user_id": cls.colleague.id,
            }
        )


@tagged("post_install", "-at_install")
class TestTicketProcessMapAdaptive(TicketAdaptiveCase):
    def test_alternate_nodes(self):
        self.check_adaptive_nodes(self.pi_map(user=self.manager))

    def test_detour_and_branch_edges(self):
        self.check_adaptive_edges(self.pi_map(user=self.manager))

    def test_conformance_of_branches_and_detours(self):
        self.check_adaptive_variants(self.pi_map(user=self.manager))

    def test_branch_target_is_designed(self):
        self.check_branch_is_designed()

    def test_detour_edge_records(self):
        self.check_detour_records()

    def test_time_to_milestone(self):
        self.check_milestones(self.pi_map(user=self.agent))

    def test_engine_detours_are_mapped(self):
        """A ticket of the guided team taken through the alternate step by an agent, with
        the engine's own history rows: one more detour A -> L -> A, the stay in A unsplit."""
        ticket = (
            self.env["helpdesk.ticket"]
            .with_user(self.colleague)
            .create(
                {
                    "name": "PI live",
                    "description": "<p>live</p>",
                    "team_id": self.team.id,
                    "stage_id": self.stages["a"].id,
                }
            )
        )
        ticket.action_guide_enter_alternate(self.steps["l"].id, "waiting on legal")
        self.assertEqual(ticket.guide_alt_step_id, self.steps["l"])
        self.assertEqual(self.pi_nodes(self.pi_map(user=self.colleague))["l"]["in_progress"], 1)
        ticket.action_guide_complete_alternate()
        data = self.pi_map(user=self.colleague)
        edges = self.pi_edges(data)
        self.assertEqual((edges[("a", "l")]["count"], edges[("l", "a")]["count"]), (3, 2))
        nodes = self.pi_nodes(data)
        self.assertEqual((nodes["a"]["visits"], nodes["a"]["in_progress"], nodes["l"]["visits"]), (10, 1, 3))
        ticket.write({"stage_id": self.stages["b"].id})
        self.assertEqual(self.pi_edges(self.pi_map(user=self.colleague))[("a", "b")]["count"], 9)


@tagged("post_install", "-at_install")
class TestTicketProcessMapAdaptiveRpc(RpcCase, TicketAdaptiveCase):
    def test_adaptive_map_over_rpc(self):
        for call in (self.jsonrpc, self.xmlrpc):
            data = call(self.agent, "guide.process", "get_process_map", [self.process.id, {}])
            self.check_adaptive_nodes(data)
            self.check_adaptive_edges(data)
            self.check_adaptive_variants(data)
            self.check_milestones(data)
