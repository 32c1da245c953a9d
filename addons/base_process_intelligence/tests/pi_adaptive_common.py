"""The hand-computed case of the process intelligence over adaptive cases (alternate
steps, branches), shared by the tests of leads and tickets (not a test itself).

On top of the hand case of ``pi_common`` (records r1..r5, steps A B C D): two
alternate steps, L (expected 8 h) and M; step A branches to L when the record's name
contains "legal", otherwise to B. Four more records (hours after T0):

    R6 "legal": A@0, L@2 (detour), back to A@8, B@10, C@20       open
    R7 "legal": A@0, L@1 (detour), B@5 and back from L@5 (to B)  open
    R8:         A@0, M@3 (detour, no branch leads there), back to A@13, B@20
    R9 "legal": A@0, B@6 (override: the branch said L), C@10

A: 9 visits (a detour does not split the stay: R6 10 h, R7 5 h, R8 20 h, R9 6 h),
   8 starts, 2 overrides (R5, R9)
L: an alternate node, 2 visits of 6 and 4 h -> median 5, p90 5.8, no start
M: an alternate node, 1 visit of 10 h
edges A->B 8 (designed, a branch), B->C 4; detours A->L 2 (branch, median 5 h),
   L->A 1 (6 h), L->B 1 (4 h), A->M 1 (10 h), M->A 1 (10 h)
conformance: R1, R6, R7 (the branch's detour is the design): 3 of 9; deviations:
   A skip 2 (R3, R4), B backward 1, A override 2 (R5, R9: an overridden branch leaves
   the design), A detour 1 (R8)
"""

from .pi_common import at

ADAPTIVE_PATHS = {
    "r6": [(0, "a", "free"), (2, "l", "detour"), (8, "a", "return"), (10, "b", "free"), (20, "c", "free")],
    "r7": [(0, "a", "free"), (1, "l", "detour"), (5, "b", "free"), (5, "b", "return")],
    "r8": [(0, "a", "free"), (3, "m", "detour"), (13, "a", "return"), (20, "b", "free")],
    "r9": [(0, "a", "free"), (6, "b", "overridden"), (10, "c", "free")],
}
ADAPTIVE_NAMES = {"r6": "legal", "r7": "legal", "r8": "plain", "r9": "legal"}


def add_adaptive_history(env, record, process, moves, steps, team_field=False, team_id=False):
    """History rows of ``record`` as the engine writes them: ``moves`` [(hours, key,
    what)], ``what`` the gate result of a stage move, or ``detour`` (entering the
    alternate step ``key``) or ``return`` (leaving the alternate step entered last,
    for the stage step ``key``)."""
    vals_list, current, alt = [], None, None
    for hours, key, what in moves:
        step = steps[key]
        vals = {
            "res_model": record._name,
            "res_id": record.id,
            "record_name": record.display_name,
            "process_id": process.id,
            "date": at(hours),
            "company_id": env.company.id,
        }
        if team_field:
            vals[team_field] = team_id
        if what == "detour":
            alt = step
            vals.update(
                from_step_id=current.id,
                to_step_id=alt.id,
                alt_step_id=alt.id,
                direction="detour",
                gate_result="free",
            )
        elif what == "return":
            vals.update(
                from_step_id=alt.id,
                to_step_id=step.id,
                alt_step_id=alt.id,
                direction="return",
                gate_result="passed",
                detour_count=1,
            )
            alt = None
        else:
            if current is None:
                direction = "initial"
            elif (step.sequence, step.id) > (current.sequence, current.id):
                direction = "forward"
            else:
                direction = "backward"
            vals.update(
                from_step_id=current.id if current else False,
                to_step_id=step.id,
                direction=direction,
                gate_result=what,
            )
            current = step
        vals_list.append(vals)
    env["guide.history"].sudo()._guide_create_rows(vals_list)


class AdaptiveCaseMixin:
    """The adaptive case over the hand case; the test class implements
    ``create_adaptive_record(key, name)`` (a record of the unguided team)."""

    @classmethod
    def setup_adaptive_case(cls):
        Step = cls.env["guide.step"]
        cls.steps["l"] = Step.create(
            {
                "process_id": cls.process.id,
                "kind": "alternate",
                "name": "PI Legal review",
                "sequence": 10,
                "expected_duration": 8,
                "expected_duration_unit": "hours",
            }
        )
        cls.steps["m"] = Step.create(
            {"process_id": cls.process.id, "kind": "alternate", "name": "PI Waiting", "sequence": 11}
        )
        Branch = cls.env["guide.step.branch"]
        cls.branch_legal = Branch.create(
            {
                "step_id": cls.steps["a"].id,
                "sequence": 1,
                "to_step_id": cls.steps["l"].id,
                "domain": "[('name', 'ilike', 'legal')]",
            }
        )
        cls.branch_otherwise = Branch.create(
            {"step_id": cls.steps["a"].id, "sequence": 2, "to_step_id": cls.steps["b"].id}
        )
        for key, moves in ADAPTIVE_PATHS.items():
            record = cls.create_adaptive_record(key, f"PI {ADAPTIVE_NAMES[key]} {key}")
            cls.records[key] = record
            add_adaptive_history(
                cls.env,
                record,
                cls.process,
                moves,
                cls.steps,
                team_field=cls.team_field,
                team_id=cls.team.id if cls.team_field else False,
            )
        # milestones: "Demo done" reached by R1 12 h, R2 30 h, R3 4 h and R6 20 h after
        # entering the process (median 16, p90 27, 4 of 9); "Signed" never
        Milestone = cls.env["guide.milestone"]
        cls.milestone_demo = Milestone.create(
            {"process_id": cls.process.id, "name": "PI Demo done", "reach_mode": "manual", "sequence": 1}
        )
        cls.milestone_signed = Milestone.create(
            {"process_id": cls.process.id, "name": "PI Signed", "reach_mode": "manual", "sequence": 2}
        )
        cls.env["guide.milestone.reached"].sudo()._guide_bulk_create(
            [
                {
                    "res_model": cls.records[key]._name,
                    "res_id": cls.records[key].id,
                    "milestone_id": cls.milestone_demo.id,
                    "process_id": cls.process.id,
                    "company_id": cls.env.company.id,
                    "date": at(hours),
                    "mode": "manual",
                }
                for key, hours in (("r1", 12), ("r2", 30), ("r3", 4), ("r6", 20))
            ]
        )
        cls.env["guide.step.visit"]._pi_refresh(full=True)

    def check_milestones(self, data):
        demo, signed = data["milestones"]
        self.assertEqual(demo["id"], self.milestone_demo.id)
        self.assertEqual((demo["records"], demo["reached"]), (9, 4))
        self.assertAlmostEqual(demo["share"], 4 / 9)
        self.assertAlmostEqual(demo["median_hours"], 16.0)
        self.assertAlmostEqual(demo["p90_hours"], 27.0)
        self.assertEqual((signed["name"], signed["reached"], signed["median_hours"]), ("PI Signed", 0, False))
        # the map's filters apply: the agent's records (R1, R5)
        mine = self.pi_map(user=self.manager, filters={"user_id": self.agent.id})["milestones"][0]
        self.assertEqual((mine["records"], mine["reached"], mine["median_hours"]), (2, 1, 12.0))

    def check_adaptive_nodes(self, data):
        nodes = self.pi_nodes(data)
        self.assertEqual(len(data["nodes"]), 6)
        a, b, lg, m = (nodes[key] for key in "ablm")
        self.assertEqual(
            {k: n["kind"] for k, n in nodes.items()},
            {**dict.fromkeys("abcd", "step"), "l": "alternate", "m": "alternate"},
        )
        self.assertEqual((a["visits"], a["starts"], a["overridden"]), (9, 8, 2))
        self.assertAlmostEqual(a["median_hours"], 10.0)
        self.assertAlmostEqual(a["p90_hours"], 20.0)
        self.assertEqual(b["visits"], 9, "the return row of R7 does not open a second stay in B")
        self.assertEqual((lg["visits"], lg["starts"], lg["in_progress"], lg["overdue"]), (2, 0, 0, 0))
        self.assertAlmostEqual(lg["median_hours"], 5.0)
        self.assertAlmostEqual(lg["p90_hours"], 5.8)
        self.assertEqual(lg["expected_hours"], 8.0)
        self.assertEqual(m["visits"], 1)
        self.assertAlmostEqual(m["median_hours"], 10.0)

    def check_adaptive_edges(self, data):
        edges = {
            key: (edge["count"], edge["kind"], edge["branch"], edge["median_hours"])
            for key, edge in self.pi_edges(data).items()
        }
        self.assertEqual(
            edges,
            {
                ("a", "b"): (8, "designed", True, False),
                ("b", "c"): (4, "designed", False, False),
                ("b", "a"): (1, "backward", False, False),
                ("c", "d"): (2, "designed", False, False),
                ("a", "c"): (1, "skip", False, False),
                ("a", "l"): (2, "detour", True, 5.0),
                ("l", "a"): (1, "detour", False, 6.0),
                ("l", "b"): (1, "detour", False, 4.0),
                ("a", "m"): (1, "detour", False, 10.0),
                ("m", "a"): (1, "detour", False, 10.0),
            },
        )

    def check_adaptive_variants(self, data):
        variants = {self.pi_path(v): v for v in data["variants"]}
        self.assertEqual(set(variants), {"abcd", "ababc", "acd", "b", "ab", "albc", "alb", "amb", "abc"})
        self.assertEqual(
            {p for p, v in variants.items() if v["conformant"]}, {"abcd", "ab", "albc", "alb", "abc"}
        )
        self.assertEqual((variants["abc"]["overridden"], variants["ab"]["overridden"]), (1, 1))
        conformance = data["conformance"]
        self.assertEqual((conformance["records"], conformance["conformant"]), (9, 3))
        keys = {step.id: key for key, step in self.steps.items()}
        deviations = {(keys[d["step_id"]], d["kind"]): d["count"] for d in conformance["deviations"]}
        self.assertEqual(
            deviations,
            {("a", "skip"): 2, ("b", "backward"): 1, ("a", "override"): 2, ("a", "detour"): 1},
        )

    def check_branch_is_designed(self):
        """A branch A -> C (R3's jump) makes the jump a designed edge and R3 conform."""
        self.env["guide.step.branch"].create(
            {
                "step_id": self.steps["a"].id,
                "sequence": 0,
                "to_step_id": self.steps["c"].id,
                "domain": "[('name', 'ilike', 'urgent')]",
            }
        )
        data = self.pi_map(user=self.manager)
        edge = self.pi_edges(data)[("a", "c")]
        self.assertEqual((edge["kind"], edge["branch"]), ("designed", True))
        self.assertEqual(data["conformance"]["conformant"], 4)
        keys = {step.id: key for key, step in self.steps.items()}
        deviations = {(keys[d["step_id"]], d["kind"]): d["count"] for d in data["conformance"]["deviations"]}
        self.assertEqual(deviations[("a", "skip")], 1, "R4 only")

    def check_detour_records(self):
        """Clicking the entry edge of a detour lists the records that took it."""
        action = (
            self.env["guide.process"]
            .with_user(self.manager)
            .action_pi_open_records(
                self.process.id, {}, step_id=self.steps["a"].id, next_step_id=self.steps["l"].id
            )
        )
        found = self.env[self.process.model_name].with_context(active_test=False).search(action["domain"])
        self.assertEqual(found, self.records["r6"] | self.records["r7"])
        # the list says what was clicked: the process and the move
        short = self.env["guide.step"].with_context(guide_step_short_name=True)
        self.assertEqual(
            action["name"],
            f"{self.process.name}: {short.browse(self.steps['a'].id).display_name} to "
            f"{short.browse(self.steps['l'].id).display_name}",
        )


class AdaptiveMapCases(AdaptiveCaseMixin):
    """The tests of the process map over adaptive cases, run by each bridge on its model.
    The bridge's class (mixed in before its hand-case fixture) provides
    ``create_adaptive_record(key, name)``, ``live_user()`` (who works a record of the
    guided team) and ``create_live_record(vals)`` (such a record, as that user)."""

    # Odoo's test runner runs the tests of this shared case in each test class
    allow_inherited_tests_method = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_adaptive_case()

    def live_user(self):
        raise NotImplementedError

    def create_live_record(self, vals):
        raise NotImplementedError

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
        """A record of the guided team taken through the alternate step by the user who
        works it, with the engine's own history rows: one more detour A -> L -> A, the
        stay in A unsplit."""
        user = self.live_user()
        record = self.create_live_record(
            {"name": "PI live", "team_id": self.team.id, "stage_id": self.stages["a"].id}
        )
        record.action_guide_enter_alternate(self.steps["l"].id, "contract clause")
        self.assertEqual(record.guide_alt_step_id, self.steps["l"])
        self.assertEqual(self.pi_nodes(self.pi_map(user=user))["l"]["in_progress"], 1)
        record.action_guide_complete_alternate()
        data = self.pi_map(user=user)
        edges = self.pi_edges(data)
        self.assertEqual((edges[("a", "l")]["count"], edges[("l", "a")]["count"]), (3, 2))
        nodes = self.pi_nodes(data)
        self.assertEqual((nodes["a"]["visits"], nodes["a"]["in_progress"], nodes["l"]["visits"]), (10, 1, 3))
        record.write({"stage_id": self.stages["b"].id})
        self.assertEqual(self.pi_edges(self.pi_map(user=user))[("a", "b")]["count"], 9)


class AdaptiveMapRpcCases(AdaptiveCaseMixin):
    """The adaptive map over JSON-RPC and XML-RPC (mixed in after ``RpcCase``)."""

    # Odoo's test runner runs the tests of this shared case in each test class
    allow_inherited_tests_method = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_adaptive_case()

    def test_adaptive_map_over_rpc(self):
        for call in (self.jsonrpc, self.xmlrpc):
            data = call(self.agent, "guide.process", "get_process_map", [self.process.id, {}])
            self.check_adaptive_nodes(data)
            self.check_adaptive_edges(data)
            self.check_adaptive_variants(data)
            self.check_milestones(data)
