from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.base_escalation.models.escalation_clock import OPEN_STATES
from odoo.addons.base_process_guide.tests.rpc_common import RpcCase, RpcError
from odoo.addons.base_process_intelligence.tests.pi_common import MapRpcAttackCases, add_history

from .common import LeadHandCase


@tagged("post_install", "-at_install")
class TestLeadProcessMap(LeadHandCase):
    def test_node_figures(self):
        self.check_hand_case_nodes(self.pi_map(user=self.manager))

    def test_edges_and_design(self):
        self.check_hand_case_edges(self.pi_map(user=self.manager))

    def test_conformance_names_the_first_departure(self):
        self.check_first_departure()

    def test_variants_and_conformance(self):
        data = self.pi_map(user=self.manager)
        self.check_hand_case_variants(data)
        self.assertEqual(data["outcome_labels"]["success"], "Won")

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

    def test_not_allowed_edge(self):
        # B allows only D: B -> C becomes a move the design does not allow
        self.steps["b"].allowed_step_ids = self.steps["d"]
        edges = self.pi_edges(self.pi_map(user=self.manager))
        self.assertEqual(edges[("b", "c")]["kind"], "not_allowed")
        deviations = {
            (d["step_id"], d["kind"]): d["count"] for d in self.pi_map()["conformance"]["deviations"]
        }
        self.assertEqual(deviations[(self.steps["b"].id, "not_allowed")], 1)  # r1 left B for C

    def test_salesperson_sees_aggregates_not_records(self):
        data = self.pi_map(user=self.agent)
        self.check_hand_case_nodes(data)
        action = (
            self.env["guide.process"]
            .with_user(self.agent)
            .action_pi_open_records(self.process.id, {}, step_id=self.steps["b"].id)
        )
        self.assertEqual(action["res_model"], "crm.lead")
        # an empty list explains itself, without the model's made-up sample leads
        self.assertIs(action["useSampleModel"], False)
        self.assertIn("No record here that you may open", action["help"])
        # the action names only the records the agent may read (never the others' ids)
        self.assertEqual(set(action["domain"][0][2]), set((self.records["r1"] | self.records["r5"]).ids))
        every = (
            self.env["guide.process"]
            .with_user(self.manager)
            .action_pi_open_records(self.process.id, {}, step_id=self.steps["b"].id)
        )
        self.assertEqual(
            self.env["crm.lead"].with_context(active_test=False).search(every["domain"]),
            self.records["r1"] | self.records["r2"] | self.records["r4"] | self.records["r5"],
        )
        mine = (
            self.env["crm.lead"]
            .with_user(self.agent)
            .with_context(active_test=False)
            .search(action["domain"])
        )
        self.assertEqual(mine, self.records["r1"] | self.records["r5"])
        visits = (
            self.env["guide.step.visit"].with_user(self.agent).search([("process_id", "=", self.process.id)])
        )
        self.assertEqual(set(visits.mapped("res_id")), {self.records["r1"].id, self.records["r5"].id})
        others = self.env["guide.step.visit"].search([("res_id", "=", self.records["r2"].id)])
        with self.assertRaises(AccessError):
            others.with_user(self.agent).read(["duration_hours"])
        with self.assertRaises(AccessError):
            visits[:1].with_user(self.agent).write({"duration_hours": 1})
        with self.assertRaises(AccessError):
            self.env["guide.record.variant"].with_user(self.manager).create(
                {"res_model": "crm.lead", "res_id": self.records["r1"].id}
            )

    def test_edge_and_variant_records(self):
        Process = self.env["guide.process"].with_user(self.manager)
        action = Process.action_pi_open_records(
            self.process.id, {}, step_id=self.steps["a"].id, next_step_id=self.steps["c"].id
        )
        self.assertEqual(self.env["crm.lead"].search(action["domain"]), self.records["r3"])
        variant = next(v for v in self.pi_map()["variants"] if self.pi_path(v) == "ababc")
        action = Process.action_pi_open_records(self.process.id, {}, path_hash=variant["hash"])
        leads = self.env["crm.lead"].with_context(active_test=False).search(action["domain"])
        self.assertEqual(leads, self.records["r2"])

    def test_incremental_refresh(self):
        Visit = self.env["guide.step.visit"]
        kept = Visit.search([("res_id", "=", self.records["r1"].id)])
        # r4 leaves B for C ten hours after entering it
        add_history(
            self.env,
            self.records["r4"],
            self.process,
            [(730, "c", "free")],
            self.steps,
            team_field="crm_team_id",
            team_id=self.team.id,
        )
        data = self.pi_map(user=self.manager)  # reading the map brings the visits up to date
        edges = self.pi_edges(data)
        self.assertEqual(edges[("b", "c")]["count"], 3)
        self.assertEqual(self.pi_nodes(data)["b"]["in_progress"], 1)
        self.assertEqual(Visit.search([("res_id", "=", self.records["r1"].id)]), kept, "r1 not rebuilt")
        # a full rebuild (a cold database) gives the same figures
        self.env["guide.step.visit"]._pi_refresh(full=True)
        self.assertEqual(self.pi_edges(self.pi_map(user=self.manager))[("b", "c")]["count"], 3)

    def test_engine_moves_are_mapped(self):
        """A lead of the guided team created and moved by its salesperson: the engine's
        history reaches the map at the next read."""
        Lead = self.env["crm.lead"].with_user(self.agent)
        lead = Lead.create(
            {
                "name": "PI live",
                "type": "opportunity",
                "team_id": self.team.id,
                "stage_id": self.stages["a"].id,
            }
        )
        self.assertEqual(lead.guide_step_id, self.steps["a"])
        lead.write({"stage_id": self.stages["c"].id})
        data = self.pi_map(user=self.agent)
        self.assertEqual(self.pi_edges(data)[("a", "c")]["count"], 2)
        self.assertEqual(self.pi_nodes(data)["c"]["in_progress"], 1)
        lead_variant = (
            self.env["guide.record.variant"].with_user(self.agent).search([("res_id", "=", lead.id)])
        )
        self.assertEqual(lead_variant.path, f"{self.steps['a'].id},{self.steps['c'].id}")

    def test_lost_lead_dropped_out_where_it_stopped(self):
        lead = self.env["crm.lead"].create(
            {
                "name": "PI lost",
                "type": "opportunity",
                "team_id": self.team.id,
                "stage_id": self.stages["a"].id,
            }
        )
        self.check_dropped_out_where_it_stopped(lead, lambda record: record.action_set_lost())

    def test_refresh_button_and_cron(self):
        # never refreshed: the next refresh builds every visit
        self.env.cr.execute("UPDATE guide_step_visit_refresh SET refreshed_at = NULL")
        self.env["guide.step.visit"].search([]).sudo().unlink()
        self.assertTrue(self.env["guide.step.visit"].with_user(self.manager).action_pi_refresh())
        self.check_hand_case_nodes(self.pi_map(user=self.manager))
        # the cron finds nothing new: the rows stay
        visits = self.env["guide.step.visit"].search([])
        self.env.ref("base_process_intelligence.guide_step_visit_cron").sudo().method_direct_trigger()
        self.assertEqual(self.env["guide.step.visit"].search([]), visits)

    def test_period_of_open_visit(self):
        # the open visit of r4 is overdue: it entered a month after T0, long ago
        nodes = self.pi_nodes(self.pi_map(filters={"date_from": "2026-01-20"}))
        self.assertEqual(nodes["b"]["overdue"], 1)
        self.assertEqual(nodes["b"]["in_progress"], 1)
        self.assertIs(nodes["b"]["median_hours"], False)


@tagged("post_install", "-at_install")
class TestLeadRefreshConcurrency(LeadHandCase):
    @classmethod
    def setup_hand_case(cls):
        """No history and no refresh: this class's transaction leaves the refresh's row
        unlocked, for another worker to refresh meanwhile."""

    def test_refresh_after_a_concurrent_one(self):
        self.check_refresh_after_a_concurrent_one()


@tagged("post_install", "-at_install")
class TestLeadProcessMapRpc(RpcCase, MapRpcAttackCases, LeadHandCase):
    outsider_groups = "sales_team.group_sale_salesman"

    def test_map_over_rpc(self):
        for call in (self.jsonrpc, self.xmlrpc):
            data = call(self.agent, "guide.process", "get_process_map", [self.process.id, {}])
            self.assertEqual(data["process"]["id"], self.process.id)
            self.assertEqual(len(data["nodes"]), 4)
            action = call(
                self.agent,
                "guide.process",
                "action_pi_open_records",
                [self.process.id, {}],
                {"step_id": self.steps["a"].id},
            )
            self.assertEqual(action["res_model"], "crm.lead")
            self.assertTrue(call(self.manager, "guide.step.visit", "action_pi_refresh", []))

    def test_map_of_records_the_user_does_not_work(self):
        """An employee who works no leads (a helpdesk agent) asking for a lead process's map
        is told the figures are for those who do, not Odoo's bare access error."""
        employee = new_test_user(
            self.env, login="pi_map_employee", groups="base.group_user,base_process_guide.group_guide_user"
        )
        for call in (self.jsonrpc, self.xmlrpc):
            with self.assertRaises(RpcError) as caught:
                call(employee, "guide.process", "get_process_map", [self.process.id, {}])
            self.assertIn("are for the users who work its records", caught.exception.message)

    def test_actions_on_ids_naming_no_record_refused(self):
        """The process map's button and the comparison, called on id 0, are refused as a
        record that does not exist (the comparison's rows without their comparison were an
        SQL error logged), and on two ids as actions of one record."""
        self.assert_ids_refused(
            self.env.ref("base.user_admin"),
            [
                ("guide.process", "action_open_process_map", True),
                ("guide.compare.wizard", "action_compare", True),
            ],
        )

    def test_visits_not_writable_over_rpc(self):
        visit = self.env["guide.step.visit"].search([("res_id", "=", self.records["r1"].id)], limit=1)
        with self.assertRaises(RpcError):
            self.jsonrpc(self.agent, "guide.step.visit", "write", [visit.ids, {"overdue": True}])
        with self.assertRaises(RpcError):
            self.xmlrpc(self.manager, "guide.step.visit", "unlink", [visit.ids])
        with self.assertRaises(RpcError):
            self.jsonrpc(self.agent, "guide.process", "get_process_map", [self.process.id, {"user_id": "x"}])


@tagged("post_install", "-at_install")
class TestLeadDemoLoader(LeadHandCase):
    def test_demo_loader(self):
        """The demo loader gives records a past history along the variants asked for."""
        self.env.ref("crm_process_guide.guide_process_b2b_demo", raise_if_not_found=False) or self.skipTest(
            "no demo data"
        )
        process = self.env.ref("crm_process_guide.guide_process_b2b_demo")
        before = self.env["crm.lead"].with_context(active_test=False).search_count([])
        self.env["guide.process"]._pi_demo_generate(
            "crm_process_guide.guide_process_b2b_demo",
            30,
            [[1, [0, 1, 2, 3, 4], "success"], [1, [0, 1], "dropped"], [1, [0, 2, 1], "open"]],
        )
        leads = self.env["crm.lead"].with_context(active_test=False).search([], order="id desc", limit=30)
        self.assertEqual(self.env["crm.lead"].with_context(active_test=False).search_count([]), before + 30)
        variants = self.env["guide.record.variant"].search([("res_id", "in", leads.ids)])
        self.assertEqual(len(variants), 30)
        steps = process.step_ids.sorted(lambda s: (s.sequence, s.id))
        paths = {",".join(str(steps[i].id) for i in p) for p in ([0, 1, 2, 3, 4], [0, 1], [0, 2, 1])}
        self.assertLessEqual(set(variants.mapped("path")), paths)
        for lead in leads:
            lead_variant = variants.filtered(lambda v, lead=lead: v.res_id == lead.id)
            if lead_variant.path == ",".join(str(steps[i].id) for i in [0, 1]):
                self.assertFalse(lead.active)
            elif lead_variant.path.endswith(str(steps[4].id)):
                self.assertEqual(lead.probability, 100)
            self.assertEqual(lead.guide_step_id.id, int(lead_variant.path.split(",")[-1]))
            # created when its history starts: no negative time to close
            first = self.env["guide.history"].search(
                [("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)], order="date", limit=1
            )
            self.assertEqual(lead.create_date, first.date)
            if lead.date_closed:
                self.assertGreater(lead.date_closed, lead.create_date)
        history = self.env["guide.history"].search(
            [("res_id", "in", leads.ids), ("res_model", "=", "crm.lead")]
        )
        self.assertEqual(len(history), sum(len(v.path.split(",")) for v in variants))
        self.assertTrue(all(h.date < self.env.cr.now() for h in history), "a past history")
        # won or lost in SQL after their clocks started: none of their clocks runs
        closed = leads.filtered(lambda lead: not lead.active or lead.probability == 100)
        self.assertTrue(closed)
        # and none runs on a lost lead of the demo database either
        lost = self.env["crm.lead"].with_context(active_test=False).search([("active", "=", False)])
        for leads_closed in (closed, lost):
            clocks = self.env["escalation.clock"].search(
                [
                    ("res_model", "=", "crm.lead"),
                    ("res_id", "in", leads_closed.ids),
                    ("state", "in", OPEN_STATES),
                ],
            )
            self.assertFalse(clocks)
        # each move an override let through has its deviation, justified by the lead's
        # salesperson when it happened
        overridden = history.filtered(lambda row: row.gate_result == "overridden")
        self.assertTrue(overridden)
        deviations = self.env["guide.deviation"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "in", leads.ids)]
        )
        self.assertEqual(deviations.history_id, overridden)
        for deviation in deviations:
            row = deviation.history_id
            self.assertEqual(
                (deviation.step_id, deviation.user_id, deviation.date, deviation.kind),
                (row.from_step_id, row.owner_id, row.date, "gate"),
            )
            self.assertTrue(deviation.reason and deviation.reason_id)
        # the checklists of every step gone through, ticked as people would have: a step
        # left through its gate has its mandatory items done, by the lead's salesperson
        lines = self.env["guide.line"].search([("res_model", "=", "crm.lead"), ("res_id", "in", leads.ids)])
        for row in history.filtered("from_step_id"):
            left = lines.filtered(
                lambda line, row=row: line.res_id == row.res_id and line.step_id == row.from_step_id
            )
            self.assertEqual(left.item_id, row.from_step_id.item_ids)
            # the history row says how the checklist stood when the step was left
            self.assertEqual(row.checklist_total, len(left))
            if row.gate_result == "free":
                gate = left.filtered(lambda line: line.mandatory and line.completion == "manual")
                self.assertTrue(all(gate.mapped("checked")), row.from_step_id.name)
        for line in lines.filtered("checked"):
            lead = leads.filtered(lambda lead, line=line: lead.id == line.res_id)
            self.assertEqual(line.checked_by_id, lead.user_id)
            self.assertTrue(line.create_date <= line.checked_date < self.env.cr.now())
        self.assertTrue(lines.filtered(lambda line: line.completion == "manual" and not line.checked))
        # hints read by the leads' salespeople, during the leads' history
        reads = self.env["guide.hint.feedback"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "in", leads.ids)]
        )
        self.assertTrue(reads)
        for read in reads:
            lead = leads.filtered(lambda lead, read=read: lead.id == read.res_id)
            self.assertEqual((read.kind, read.user_id), ("ack", lead.user_id))
            self.assertTrue(lead.create_date <= read.date < self.env.cr.now())
