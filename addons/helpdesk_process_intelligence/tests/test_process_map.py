from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.base_escalation.models.escalation_clock import OPEN_STATES
from odoo.addons.base_process_guide.tests.rpc_common import RpcCase, RpcError
from odoo.addons.base_process_intelligence.tests.pi_common import MapRpcAttackCases

from .common import TicketHandCase


@tagged("post_install", "-at_install")
class TestTicketProcessMap(TicketHandCase):
    def test_node_figures(self):
        self.check_hand_case_nodes(self.pi_map(user=self.manager))

    def test_edges_and_design(self):
        self.check_hand_case_edges(self.pi_map(user=self.manager))

    def test_conformance_names_the_first_departure(self):
        self.check_first_departure()

    def test_variants_conformance_and_resolution_time(self):
        data = self.pi_map(user=self.manager)
        self.check_hand_case_variants(data)
        self.assertEqual(
            data["outcome_labels"], {"success": "Resolved", "dropped": "Cancelled", "open": "Open"}
        )

    def test_person_filter_as_on_scorecards(self):
        self.check_person_filter()

    def test_person_filter_offers_agents_only(self):
        self.check_person_filter_offers_agents_only()

    def test_filters(self):
        self.check_hand_case_filters()

    def test_left_late_as_judged_then(self):
        self.check_left_late_as_judged_then()

    def test_map_read_keeps_caches(self):
        self.check_map_read_keeps_caches()

    def test_reopened_record_made_no_move(self):
        self.check_reopened_record_made_no_move()

    def test_period_of_the_users_days(self):
        self.check_hand_case_local_days()

    def test_own_agent_sees_aggregates_not_tickets(self):
        self.check_hand_case_nodes(self.pi_map(user=self.agent))
        action = (
            self.env["guide.process"]
            .with_user(self.agent)
            .action_pi_open_records(self.process.id, {}, step_id=self.steps["b"].id)
        )
        self.assertEqual(action["res_model"], "helpdesk.ticket")
        mine = self.env["helpdesk.ticket"].with_user(self.agent).search(action["domain"])
        self.assertEqual(mine, self.records["r1"] | self.records["r5"])
        visits = (
            self.env["guide.step.visit"].with_user(self.agent).search([("process_id", "=", self.process.id)])
        )
        self.assertEqual(set(visits.mapped("res_id")), {self.records["r1"].id, self.records["r5"].id})
        variants = self.env["guide.record.variant"].with_user(self.agent).search([])
        self.assertEqual(set(variants.mapped("res_id")), {self.records["r1"].id, self.records["r5"].id})
        with self.assertRaises(AccessError):
            visits[:1].with_user(self.manager).write({"overdue": True})

    def test_figures_only_for_the_helpdesk(self):
        """An employee who works no ticket (a salesperson, say: a process user of another
        app) is not shown the tickets' figures, though helpdesk_mgmt lets every employee
        read the ticket model."""
        outsider = new_test_user(
            self.env, login="pi_hd_outsider", groups="base.group_user,base_process_guide.group_guide_user"
        )
        Process = self.env["guide.process"].with_user(outsider)
        data = Process.get_process_map(model_name="helpdesk.ticket")
        self.assertFalse(data["process"])
        self.assertNotIn(self.process.id, [p["id"] for p in data["processes"]])
        with self.assertRaises(AccessError):
            Process.get_process_map(self.process.id)
        with self.assertRaises(AccessError):
            Process.action_pi_open_records(self.process.id, {}, step_id=self.steps["a"].id)
        # the helpdesk's own-tickets agent still sees the process-level figures
        self.assertTrue(self.pi_map(user=self.agent)["nodes"])

    def test_engine_moves_are_mapped(self):
        Ticket = self.env["helpdesk.ticket"].with_user(self.colleague)
        ticket = Ticket.create(
            {
                "name": "PI live",
                "description": "<p>live</p>",
                "team_id": self.team.id,
                "stage_id": self.stages["a"].id,
            }
        )
        self.assertEqual(ticket.guide_step_id, self.steps["a"])
        ticket.write({"stage_id": self.stages["b"].id})
        data = self.pi_map(user=self.colleague)
        self.assertEqual(self.pi_edges(data)[("a", "b")]["count"], 5)
        self.assertEqual(self.pi_nodes(data)["b"]["in_progress"], 3)

    def test_cancelled_ticket_dropped_out_where_it_stopped(self):
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "PI cancelled",
                "description": "<p>cancelled</p>",
                "team_id": self.team.id,
                "stage_id": self.stages["a"].id,
            }
        )
        cancelled = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_cancelled")
        self.check_dropped_out_where_it_stopped(ticket, lambda t: t.write({"stage_id": cancelled.id}))


@tagged("post_install", "-at_install")
class TestTicketRefreshConcurrency(TicketHandCase):
    @classmethod
    def setup_hand_case(cls):
        """No history and no refresh: this class's transaction leaves the refresh's row
        unlocked, for another worker to refresh meanwhile."""

    def test_refresh_after_a_concurrent_one(self):
        self.check_refresh_after_a_concurrent_one()


@tagged("post_install", "-at_install")
class TestTicketProcessMapRpc(RpcCase, MapRpcAttackCases, TicketHandCase):
    outsider_groups = "helpdesk_mgmt.group_helpdesk_user_own"

    def test_map_over_rpc(self):
        for call in (self.jsonrpc, self.xmlrpc):
            data = call(self.agent, "guide.process", "get_process_map", [self.process.id, {}])
            self.assertEqual([n["visits"] for n in data["nodes"]], [5, 5, 3, 2])
            action = call(
                self.agent,
                "guide.process",
                "action_pi_open_records",
                [self.process.id, {}],
                {"step_id": self.steps["a"].id},
            )
            self.assertEqual(action["res_model"], "helpdesk.ticket")

    def test_visits_not_writable_over_rpc(self):
        visit = self.env["guide.step.visit"].search([("res_id", "=", self.records["r1"].id)], limit=1)
        with self.assertRaises(RpcError):
            self.jsonrpc(self.agent, "guide.step.visit", "write", [visit.ids, {"overdue": True}])
        with self.assertRaises(RpcError):
            self.xmlrpc(self.manager, "guide.step.visit", "create", [{"res_model": "x", "res_id": 1}])


@tagged("post_install", "-at_install")
class TestTicketDemoLoader(TicketHandCase):
    def test_cancelled_tickets_leave_their_step(self):
        """A demo ticket cancelled along the way is in no step (the cancelled stage is no
        step of the process): the form shows no step, and no gate judges its next move."""
        process = self.env.ref("helpdesk_process_guide.guide_process_support_demo", raise_if_not_found=False)
        if not process:
            self.skipTest("no demo data")
        self.env["guide.process"]._pi_demo_generate(
            "helpdesk_process_guide.guide_process_support_demo", 6, [[1, [0, 1], "dropped"]]
        )
        tickets = self.env["helpdesk.ticket"].search([], order="id desc", limit=6)
        cancelled = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_cancelled")
        self.assertEqual(tickets.stage_id, cancelled)
        self.assertFalse(tickets.guide_step_id)
        self.assertFalse(any(tickets.mapped("guide_item_total")))

    def test_closed_tickets_stop_their_clocks(self):
        """The demo closes tickets in SQL after their clocks started: their clocks stop as
        when a ticket reaches a closed stage, none left running on a Done or Cancelled
        ticket, in the demo database as on tickets generated now."""
        xmlid = "helpdesk_process_guide.guide_process_support_demo"
        if not self.env.ref(xmlid, raise_if_not_found=False):
            self.skipTest("no demo data")
        Clock = self.env["escalation.clock"]

        def clocks(tickets, states=OPEN_STATES):
            return Clock.search(
                [
                    ("res_model", "=", "helpdesk.ticket"),
                    ("res_id", "in", tickets.ids),
                    ("state", "in", states),
                ],
            )

        variants = [[1, [0, 1, 3], "success"], [1, [0], "dropped"]]
        self.env["guide.process"]._pi_demo_generate(xmlid, 6, variants)
        tickets = self.env["helpdesk.ticket"].search([], order="id desc", limit=6)
        self.assertTrue(all(tickets.stage_id.mapped("closed")))
        # the demo's rules timed them, and stopped
        self.assertTrue(clocks(tickets, ["done", "met"]))
        self.assertFalse(clocks(tickets))
        closed = self.env["helpdesk.ticket"].search([("stage_id.closed", "=", True)])
        self.assertFalse(clocks(closed), "the demo database's")
