from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase

from .common import HelpdeskGuideCommon


@tagged("post_install", "-at_install")
class TestTrustTransitionsTickets(RpcCase, HelpdeskGuideCommon):
    """Every change of a ticket's step is judged by the gates, whatever makes it:
    attacks by a real helpdesk user over XML-RPC and JSON-RPC, and the paths
    that must keep working."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team_b = cls.env["helpdesk.ticket.team"].create(
            {"name": "Guided Support B", "user_ids": [(6, 0, cls.user_agent.ids)]}
        )
        cls.process.helpdesk_team_ids |= cls.team_b

    def _history(self, ticket):
        return self.env["guide.history"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)], order="id"
        )

    def _reload(self, ticket):
        self.env.invalidate_all()
        return ticket

    # ------------------------------------------------------------
    # bypasses, refused
    # ------------------------------------------------------------
    def test_team_round_trip_does_not_skip_the_gate(self):
        ticket = self._ticket(user_id=self.user_agent.id, name="Round trip")
        user, ids = self.user_agent, ticket.ids
        self.xmlrpc(user, "helpdesk.ticket", "write", [ids, {"team_id": self.other_team.id}])
        self.xmlrpc(user, "helpdesk.ticket", "write", [ids, {"stage_id": self.stage_resolved.id}])
        self.assertFalse(self._reload(ticket).guide_process_id)
        fault = self.rpc_fault(user, "helpdesk.ticket", "write", [ids, {"team_id": self.team.id}])
        self.assertIn("Cannot move to G-Resolved", fault)
        self.assertIn("skipping G-Triage, which requires Impact assessed", fault)
        fault = self.rpc_fault(
            user, "helpdesk.ticket", "write", [ids, {"team_id": self.team.id}], protocol="json"
        )
        self.assertIn("Impact assessed", fault)
        self.assertEqual(self._reload(ticket).team_id, self.other_team)

    def test_stage_emptied_then_target_is_judged(self):
        ticket = self._ticket(user_id=self.user_agent.id, name="Emptied")
        ids = ticket.ids
        self.xmlrpc(self.user_agent, "helpdesk.ticket", "write", [ids, {"stage_id": False}])
        self.assertFalse(self._reload(ticket).stage_id)
        fault = self.rpc_fault(
            self.user_agent, "helpdesk.ticket", "write", [ids, {"stage_id": self.stage_progress.id}]
        )
        self.assertIn("skipping G-Triage, which requires Impact assessed", fault)
        self.assertFalse(self._reload(ticket).stage_id)

    def test_create_in_a_later_step_is_judged(self):
        vals = {
            "name": "Born late",
            "description": "<p>x</p>",
            "team_id": self.team.id,
            "stage_id": self.stage_waiting.id,
        }
        fault = self.rpc_fault(self.user_agent, "helpdesk.ticket", "create", [[vals]])
        self.assertIn("skipping G-Triage, which requires Impact assessed", fault)
        fault = self.rpc_fault(self.user_agent, "helpdesk.ticket", "create", [[vals]], protocol="json")
        self.assertIn("Cannot move to G-Waiting", fault)
        self.assertFalse(self.env["helpdesk.ticket"].search([("name", "=", "Born late")]))

    def test_import_in_a_later_step_is_judged(self):
        fields = ["name", "description", "team_id/.id", "stage_id/.id"]
        rows = [["Imported late", "x", str(self.team.id), str(self.stage_waiting.id)]]
        result = self.xmlrpc(self.user_agent, "helpdesk.ticket", "load", [fields, rows])
        self.assertFalse(result["ids"])
        self.assertIn("skipping G-Triage, which requires", str(result["messages"]))
        result = self.xmlrpc(
            self.user_agent,
            "helpdesk.ticket",
            "load",
            [fields, rows],
            {"context": {"guide_import_in_step": True}},
        )
        self.assertFalse(result["ids"])
        self.assertIn("Only members of Helpdesk / Helpdesk Manager", str(result["messages"]))

    # ------------------------------------------------------------
    # legitimate paths
    # ------------------------------------------------------------
    def test_administrator_import_is_logged(self):
        fields = ["name", "description", "team_id/.id", "stage_id/.id"]
        rows = [["Imported late", "x", str(self.team.id), str(self.stage_waiting.id)]]
        result = self.xmlrpc(
            self.user_manager,
            "helpdesk.ticket",
            "load",
            [fields, rows],
            {"context": {"guide_import_in_step": True}},
        )
        self.assertTrue(result["ids"], result["messages"])
        ticket = self.env["helpdesk.ticket"].browse(result["ids"])
        self.assertEqual(ticket.guide_step_id, self.step_waiting)
        history = self._history(ticket)
        self.assertEqual((history.gate_result, history.user_id), ("imported", self.user_manager))
        self.assertIn("Impact assessed", history.checklist_missing)

    def test_create_in_first_step_and_backward_move(self):
        ticket_id = self.xmlrpc(
            self.user_agent,
            "helpdesk.ticket",
            "create",
            [
                {
                    "name": "Fresh",
                    "description": "x",
                    "team_id": self.team.id,
                    "stage_id": self.stage_triage.id,
                }
            ],
        )
        ticket = self.env["helpdesk.ticket"].browse(ticket_id)
        self.assertEqual(ticket.guide_step_id, self.step_triage)
        self.assertEqual(self._history(ticket).mapped("gate_result"), ["free"])
        late = self._ticket(stage_id=self.stage_waiting.id, user_id=self.user_agent.id)
        self.xmlrpc(
            self.user_agent, "helpdesk.ticket", "write", [late.ids, {"stage_id": self.stage_triage.id}]
        )
        self.assertEqual(self._reload(late).guide_step_id, self.step_triage)
        self.assertEqual(self._history(late)[-1].direction, "backward")

    def test_team_change_inside_the_process_keeps_the_step(self):
        ticket = self._ticket(stage_id=self.stage_waiting.id, user_id=self.user_agent.id)
        before = len(self._history(ticket))
        self.xmlrpc(self.user_agent, "helpdesk.ticket", "write", [ticket.ids, {"team_id": self.team_b.id}])
        self.assertEqual(self._reload(ticket).guide_step_id, self.step_waiting)
        self.assertEqual(len(self._history(ticket)), before)

    def test_override_gate_on_coming_back_takes_a_reason(self):
        ticket = self._ticket(stage_id=self.stage_progress.id, user_id=self.user_agent.id)
        user, ids = self.user_agent, ticket.ids
        self.xmlrpc(user, "helpdesk.ticket", "write", [ids, {"team_id": self.other_team.id}])
        self.xmlrpc(user, "helpdesk.ticket", "write", [ids, {"stage_id": self.stage_resolved.id}])
        fault = self.rpc_fault(user, "helpdesk.ticket", "write", [ids, {"team_id": self.team.id}])
        self.assertIn("skipping G-In Progress, which requires Solution proposed", fault)
        self.xmlrpc(
            user,
            "helpdesk.ticket",
            "write",
            [ids, {"team_id": self.team.id}],
            {"context": {"guide_override_reason": "Solved by the other team"}},
        )
        self.assertEqual(self._reload(ticket).guide_step_id, self.step_resolved)
        deviation = self.env["guide.deviation"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual((deviation.step_id, deviation.user_id), (self.step_progress, self.user_agent))
