"""The hand-computed case of the process intelligence figures, shared by the tests of
leads, tickets and the generic model (not a test itself).

Five records of a process with steps A, B, C, D (A expected 24 h, B 48 h), dates in
hours after T0 (a fixed past date: open visits are overdue whatever today is):

    R1: A@0 -> B@10 -> C@40 -> D@50                    succeeded, closed at 50
    R2: A@0 -> B@20 -> A@30 (back) -> B@32 -> C@100    left B by override; dropped at 110
    R3: A@0 -> C@5 (skip) -> D@25                      succeeded, closed at 25; other team
    R4: B@720 (entered past A)                          open
    R5: A@0 -> B@10 (left A by override)                open

A: visits 10, 20, 2, 5, 10 h -> median 10, p90 16; 1 override of 5 left; 4 starts
B: left after 30, 10, 68 h -> median 30, p90 60.4; overdue 68 h, R4 and R5 open: 3 of 5;
   override 1 of 3 left; 1 backward; 2 in progress
C: left after 10, 20 h -> median 15, p90 19; 1 dropped out (R2)
D: 2 succeeded there
edges A->B 4 (designed), B->C 2 (designed), B->A 1 (backward), C->D 2 (designed), A->C 1 (skip)
conformance: R1 only (R5 overrode): 1 of 5; deviations: A skip 2 (R3, R4), B backward 1, A override 1
"""

from datetime import datetime, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.modules.registry import Registry
from odoo.tests import new_test_user

from odoo.addons.base_process_guide.tests.rpc_common import RpcError

T0 = datetime(2026, 1, 5)
PATHS = {
    "r1": [(0, "a", "free"), (10, "b", "free"), (40, "c", "free"), (50, "d", "free")],
    "r2": [
        (0, "a", "free"),
        (20, "b", "free"),
        (30, "a", "free"),
        (32, "b", "free"),
        (100, "c", "overridden"),
    ],
    "r3": [(0, "a", "free"), (5, "c", "free"), (25, "d", "free")],
    "r4": [(720, "b", "free")],
    "r5": [(0, "a", "free"), (10, "b", "overridden")],
}


def at(hours):
    return T0 + timedelta(hours=hours)


def add_history(env, record, process, moves, steps, owner=False, team_field=False, team_id=False, after=None):
    """History rows of ``record`` entering ``steps[key]`` at ``at(hours)`` (``moves``:
    [(hours, key, gate result of the move)]), after its move into ``after`` (a key, hours)
    if given; a row leaving a step names its expected hours then, as the engine's do."""
    vals_list, previous, since = [], None, None
    if after:
        previous, since = steps[after[0]], after[1]
    for hours, key, gate in moves:
        step = steps[key]
        if previous is None:
            direction = "initial"
        else:
            direction = (
                "forward" if (step.sequence, step.id) > (previous.sequence, previous.id) else "backward"
            )
        vals = {
            "res_model": record._name,
            "res_id": record.id,
            "record_name": record.display_name,
            "process_id": process.id,
            "from_step_id": previous.id if previous else False,
            "to_step_id": step.id,
            "direction": direction,
            "gate_result": gate,
            "date": at(hours),
            "owner_id": owner,
            "company_id": env.company.id,
            "expected_hours": previous.expected_hours if previous else 0.0,
            "overdue": bool(previous and previous.expected_hours and hours - since > previous.expected_hours),
        }
        if team_field:
            vals[team_field] = team_id
        vals_list.append(vals)
        previous, since = step, hours
    env["guide.history"].sudo()._guide_create_rows(vals_list)


def policy_and_rule(env, model_name, process):
    """A policy and an escalation rule of ``process``, and a policy of no process (the
    scorecard's checks and escalations of a process)."""
    policy_vals = {
        "model_name": model_name,
        "trigger": "stage",
        "requirement": "[('id', '!=', False)]",
        "message": "Always holds.",
    }
    Policy = env["compliance.policy"]
    policy = Policy.create(dict(policy_vals, name="PI policy of the process", process_id=process.id))
    anywhere = Policy.create(dict(policy_vals, name="PI policy of every process"))
    rule = env["escalation.rule"].create(
        {
            "name": "PI rule of the process",
            "model_name": model_name,
            "process_id": process.id,
            "trigger_type": "step_time",
            "delay_unit": "hours",
            "level_ids": [(0, 0, {"name": "L1", "delay": 4, "assign_to": "team_leader"})],
        }
    )
    return policy, anywhere, rule


class HandCaseMixin:
    """Checks of the hand case. The test class sets ``process``, ``steps`` ({a, b, c,
    d}), ``records`` ({r1..r5}), ``agent`` (owner of r1 and r5), ``team_field``,
    ``team``, ``other_team`` (r3) and implements ``set_outcome(record, outcome, hours)``."""

    @classmethod
    def setup_hand_case(cls):
        for key, moves in PATHS.items():
            record = cls.records[key]
            add_history(
                cls.env,
                record,
                cls.process,
                moves,
                cls.steps,
                owner=cls.agent.id if key in ("r1", "r5") else False,
                team_field=cls.team_field,
                team_id=(cls.other_team if key == "r3" else cls.team).id if cls.team_field else False,
            )
        cls.set_outcome(cls.records["r1"], "success", 50)
        cls.set_outcome(cls.records["r3"], "success", 25)
        cls.set_outcome(cls.records["r2"], "dropped", 110)
        cls.env["guide.step.visit"]._pi_refresh(full=True)

    def check_person_filter(self):
        """One person's figures are shown to that person, their team leaders and managers
        (as on the scorecards): an agent filters by themselves, not by a colleague, and
        is offered only themselves in the filter."""
        from odoo.exceptions import AccessError

        mine = self.pi_nodes(self.pi_map(user=self.agent, filters={"user_id": self.agent.id}))
        self.assertEqual(mine["a"]["visits"], 2)
        with self.assertRaises(AccessError):
            self.pi_map(user=self.agent, filters={"user_id": self.colleague.id})
        with self.assertRaises(AccessError):
            self.env["guide.process"].with_user(self.agent).action_pi_open_records(
                self.process.id, {"user_id": self.colleague.id}, step_id=self.steps["a"].id
            )
        offered = self.pi_map(user=self.agent)["filters"]["users"]
        self.assertEqual([u["id"] for u in offered], [self.agent.id])
        # the process-level figures stay whole; managers filter by anyone
        self.assertEqual(self.pi_nodes(self.pi_map(user=self.agent))["a"]["visits"], 5)
        by_agent = self.pi_nodes(self.pi_map(user=self.manager, filters={"user_id": self.agent.id}))
        self.assertEqual(by_agent["a"]["visits"], 2)
        self.assertIn(self.agent.id, [u["id"] for u in self.pi_map(user=self.manager)["filters"]["users"]])

    def check_person_filter_offers_agents_only(self):
        """The person filter offers the people as on the scorecards: not the superuser
        (OdooBot, whose crons and installs move records) nor a portal user, though records
        they were responsible for are on the map."""
        portal = new_test_user(self.env, login="pi_map_portal", groups="base.group_portal")
        for index, owner in enumerate((self.env.ref("base.user_root"), portal)):
            record = self.records["r4"].copy({"name": f"PI system {index}"})
            add_history(self.env, record, self.process, [(0, "a", "free")], self.steps, owner=owner.id)
        self.env["guide.step.visit"]._pi_refresh()
        data = self.pi_map(user=self.manager)
        offered = [u["id"] for u in data["filters"]["users"]]
        self.assertIn(self.agent.id, offered)
        self.assertNotIn(self.env.ref("base.user_root").id, offered)
        self.assertNotIn(portal.id, offered)
        self.assertEqual(self.pi_nodes(data)["a"]["visits"], 7, "their records stay on the map")

    def pi_map(self, user=None, filters=None):
        Process = self.env["guide.process"].with_user(user) if user else self.env["guide.process"]
        return Process.get_process_map(self.process.id, filters or {})

    def pi_nodes(self, data):
        keys = {step.id: key for key, step in self.steps.items()}
        return {keys[node["id"]]: node for node in data["nodes"] if node["id"] in keys}

    def pi_edges(self, data):
        keys = {step.id: key for key, step in self.steps.items()}
        return {(keys[e["source"]], keys[e["target"]]): e for e in data["edges"]}

    def pi_path(self, variant):
        keys = {step.id: key for key, step in self.steps.items()}
        return "".join(keys[sid] for sid in variant["path"])

    def check_hand_case_nodes(self, data):
        nodes = self.pi_nodes(data)
        a, b, c, d = (nodes[key] for key in "abcd")
        self.assertEqual((a["visits"], a["starts"], a["in_progress"]), (5, 4, 0))
        self.assertAlmostEqual(a["median_hours"], 10.0)
        self.assertAlmostEqual(a["p90_hours"], 16.0)
        self.assertEqual((a["overdue"], a["overridden"]), (0, 1))
        self.assertAlmostEqual(a["override_rate"], 0.2)
        self.assertEqual((b["visits"], b["starts"], b["in_progress"], b["backward"]), (5, 1, 2, 1))
        self.assertAlmostEqual(b["median_hours"], 30.0)
        self.assertAlmostEqual(b["p90_hours"], 60.4)
        self.assertEqual(b["overdue"], 3)
        self.assertAlmostEqual(b["overdue_share"], 0.6)
        self.assertAlmostEqual(b["override_rate"], 1 / 3)
        self.assertEqual(b["expected_hours"], 48.0)
        self.assertEqual((c["visits"], c["dropped"], c["success"]), (3, 1, 0))
        self.assertAlmostEqual(c["median_hours"], 15.0)
        self.assertAlmostEqual(c["p90_hours"], 19.0)
        self.assertEqual((d["visits"], d["success"], d["dropped"], d["in_progress"]), (2, 2, 0, 0))
        self.assertIs(d["median_hours"], False)
        # no record left the last step: no override rate ("–" on the map, not "0 %")
        self.assertIs(d["override_rate"], False)
        # a period without a visit: no share of nothing either
        empty = self.pi_nodes(
            self.env["guide.process"].get_process_map(
                self.process.id, {"date_from": "2001-01-01", "date_to": "2001-01-31"}
            )
        )
        self.assertEqual(
            {(node["visits"], node["overdue_share"], node["override_rate"]) for node in empty.values()},
            {(0, False, False)},
        )

    def check_hand_case_edges(self, data):
        edges = {key: (edge["count"], edge["kind"]) for key, edge in self.pi_edges(data).items()}
        self.assertEqual(
            edges,
            {
                ("a", "b"): (4, "designed"),
                ("b", "c"): (2, "designed"),
                ("b", "a"): (1, "backward"),
                ("c", "d"): (2, "designed"),
                ("a", "c"): (1, "skip"),
            },
        )

    def check_hand_case_variants(self, data, with_outcome=True):
        variants = {self.pi_path(v): v for v in data["variants"]}
        self.assertEqual(set(variants), {"abcd", "ababc", "acd", "b", "ab"})
        self.assertEqual(data["variant_count"], 5)
        self.assertEqual({p: v["conformant"] for p, v in variants.items()}["abcd"], True)
        self.assertEqual(
            {p for p, v in variants.items() if v["conformant"]}, {"abcd", "ab"}, "a path as designed"
        )
        self.assertEqual(variants["ab"]["overridden"], 1)
        self.assertAlmostEqual(variants["abcd"]["share"], 0.2)
        if with_outcome:
            self.assertEqual(variants["abcd"]["success_rate"], 1.0)
            self.assertAlmostEqual(variants["abcd"]["median_hours"], 50.0)
            self.assertEqual(variants["ababc"]["success_rate"], 0.0)
            self.assertAlmostEqual(variants["ababc"]["median_hours"], 110.0)
            self.assertAlmostEqual(variants["acd"]["median_hours"], 25.0)
            self.assertIs(variants["b"]["success_rate"], False)
            self.assertIs(variants["b"]["median_hours"], False)
        conformance = data["conformance"]
        self.assertEqual((conformance["records"], conformance["conformant"]), (5, 1))
        self.assertAlmostEqual(conformance["share"], 0.2)
        keys = {step.id: key for key, step in self.steps.items()}
        deviations = {(keys[d["step_id"]], d["kind"]): d["count"] for d in conformance["deviations"]}
        self.assertEqual(deviations, {("a", "skip"): 2, ("b", "backward"): 1, ("a", "override"): 1})

    def check_first_departure(self):
        """The conformance names where a record first left the design, in time: R7 left A
        by override, then moved back from C (an override before a departure of its path);
        R8 skipped B by an override (one move: the skip names it)."""
        moves = {
            "r7": [(1000, "a", "free"), (1010, "b", "overridden"), (1020, "c", "free"), (1030, "b", "free")],
            "r8": [(1000, "a", "free"), (1010, "c", "overridden")],
        }
        for key, path in moves.items():
            record = self.records["r4"].copy({"name": f"PI {key}"})
            add_history(self.env, record, self.process, path, self.steps)
        self.env["guide.step.visit"]._pi_refresh()
        data = self.pi_map(user=self.manager, filters={"date_from": at(1000).date().isoformat()})
        variants = {self.pi_path(v): v for v in data["variants"]}
        self.assertEqual({p: v["conformant"] for p, v in variants.items()}, {"abcb": False, "ac": False})
        self.assertEqual(variants["abcb"]["overridden"], 1)
        conformance = data["conformance"]
        self.assertEqual((conformance["records"], conformance["conformant"]), (2, 0))
        keys = {step.id: key for key, step in self.steps.items()}
        deviations = {(keys[d["step_id"]], d["kind"]): d["count"] for d in conformance["deviations"]}
        self.assertEqual(deviations, {("a", "override"): 1, ("a", "skip"): 1})

    def check_dropped_out_where_it_stopped(self, record, drop_out):
        """A live ``record`` (in step A, entered today) dropped out the normal way by
        ``drop_out(record)`` (a ticket set to a cancelled stage, which is no step: its
        history row enters no step and closes the visit; a lead marked lost, which keeps
        its stage) is a drop-out of the step it stopped at, as its variant says."""
        today = {"date_from": (datetime.now() - timedelta(days=1)).date().isoformat()}
        a = self.pi_nodes(self.pi_map(user=self.manager, filters=today))["a"]
        self.assertEqual((a["visits"], a["in_progress"], a["dropped"]), (1, 1, 0))
        drop_out(record)
        data = self.pi_map(user=self.manager, filters=today)
        a = self.pi_nodes(data)["a"]
        self.assertEqual((a["visits"], a["in_progress"], a["dropped"]), (1, 0, 1))
        self.assertEqual([(self.pi_path(v), v["dropped"]) for v in data["variants"]], [("a", 1)])

    def check_left_late_as_judged_then(self):
        """A stay is judged late against the expected hours in force when it was left (its
        history row's), not the step's current ones: two equal stays of 30 h in A (24 h
        expected then: late); A then expects 48 h, and one record moves on since, the
        other not: both stays stay late, at a full rebuild too, as their rows say."""
        records = {key: self.records["r4"].copy({"name": f"PI late {key}"}) for key in ("x", "y")}
        stays = [(2000, "a", "free"), (2030, "b", "free")]
        for record in records.values():
            add_history(self.env, record, self.process, stays, self.steps)
        self.env["guide.step.visit"]._pi_refresh()
        self.steps["a"].expected_duration = 48
        self.assertEqual(self.steps["a"].expected_hours, 48)
        moved_on = [(2040, "c", "free")]
        add_history(self.env, records["x"], self.process, moved_on, self.steps, after=("b", 2030))
        Visit = self.env["guide.step.visit"]
        for full in (False, True):
            Visit._pi_refresh(full=full)
            visits = Visit.search(
                [("res_id", "in", [r.id for r in records.values()]), ("step_id", "=", self.steps["a"].id)]
            )
            self.assertEqual(visits.mapped(lambda v: (v.overdue, v.expected_hours)), [(True, 24.0)] * 2)
        history = self.env["guide.history"].search(
            [("res_id", "in", visits.mapped("res_id")), ("from_step_id", "=", self.steps["a"].id)]
        )
        self.assertEqual(history.mapped("overdue"), [True, True])
        a = self.pi_nodes(self.pi_map(filters={"date_from": at(2000).date().isoformat()}))["a"]
        self.assertEqual((a["visits"], a["overdue"]), (2, 2))

    def check_map_read_keeps_caches(self):
        """The map read after a stage change refreshes the visits without clearing the
        registry's caches (of every worker: its mark is no system parameter)."""
        record = self.records["r4"].copy({"name": "PI cache"})
        add_history(self.env, record, self.process, [(3000, "a", "free")], self.steps)
        with patch.object(Registry, "clear_cache", autospec=True, side_effect=Registry.clear_cache) as clear:
            data = self.pi_map(user=self.manager, filters={"date_from": at(3000).date().isoformat()})
        self.assertEqual(self.pi_nodes(data)["a"]["visits"], 1, "the visit of the new row is mapped")
        clear.assert_not_called()
        self.assertEqual(
            data["refreshed_at"],
            fields.Datetime.to_string(self.env["guide.step.visit.refresh"]._pi_refreshed_at()),
        )

    def check_refresh_after_a_concurrent_one(self):
        """A refresh in a transaction that began before another worker's refresh committed
        leaves the refresh to that one (its rows, deleted and rebuilt meanwhile, would
        fail to delete: "could not serialize access"), logs no error, and the map reads
        on. The test class's transaction must not have refreshed (its lock would hold
        the other worker)."""
        add_history(self.env, self.records["r4"], self.process, [(0, "a", "free")], self.steps)
        self.env.flush_all()
        with self.env.registry.cursor() as other:
            # another worker refreshes and commits after this transaction began
            other.execute("UPDATE guide_step_visit_refresh SET history_mark = history_mark")
        with self.assertNoLogs("odoo.sql_db", "ERROR"):
            self.assertFalse(self.env["guide.step.visit"]._pi_refresh())
            data = self.pi_map(user=self.manager)
        self.assertEqual(data["process"]["id"], self.process.id)

    def check_reopened_record_made_no_move(self):
        """A record that left step A for no step (a ticket cancelled) and came back to A
        (reopened) made no move there: its path names A twice, with no edge A to A, no
        backward move in its variant, and no departure in the conformance."""
        record = self.records["r4"].copy({"name": "PI reopened"})
        a = self.steps["a"]
        common = {
            "res_model": record._name,
            "res_id": record.id,
            "record_name": record.display_name,
            "process_id": self.process.id,
            "gate_result": "free",
            "company_id": self.env.company.id,
        }
        self.env["guide.history"].sudo()._guide_create_rows(
            [
                dict(common, to_step_id=a.id, direction="initial", date=at(4000)),
                dict(common, from_step_id=a.id, direction="forward", date=at(4001), expected_hours=24),
                dict(common, to_step_id=a.id, direction="initial", date=at(4002)),
            ]
        )
        data = self.pi_map(user=self.manager, filters={"date_from": at(4000).date().isoformat()})
        self.assertEqual([self.pi_path(v) for v in data["variants"]], ["aa"])
        self.assertNotIn(("a", "a"), self.pi_edges(data))
        self.assertEqual(self.pi_nodes(data)["a"]["backward"], 0)
        variant = self.env["guide.record.variant"].search([("res_id", "=", record.id)])
        self.assertEqual(variant.backward_count, 0)
        conformance = data["conformance"]
        self.assertEqual((conformance["records"], conformance["conformant"]), (1, 1))
        self.assertEqual(conformance["deviations"], [])
        self.assertTrue(data["variants"][0]["conformant"])

    def check_hand_case_filters(self):
        by_user = self.pi_nodes(self.pi_map(filters={"user_id": self.agent.id}))
        self.assertEqual(
            {k: n["visits"] for k, n in by_user.items() if n["visits"]}, {"a": 2, "b": 2, "c": 1, "d": 1}
        )
        late = self.pi_map(filters={"date_from": (T0 + timedelta(days=20)).date().isoformat()})
        self.assertEqual({k: n["visits"] for k, n in self.pi_nodes(late).items() if n["visits"]}, {"b": 1})
        self.assertEqual([self.pi_path(v) for v in late["variants"]], ["b"])
        early = self.pi_map(filters={"date_to": (T0 + timedelta(days=1)).date().isoformat()})
        self.assertEqual(early["conformance"]["records"], 4)
        if self.team_field:
            other = self.pi_map(filters={"team_id": self.other_team.id})
            self.assertEqual(
                {k: n["visits"] for k, n in self.pi_nodes(other).items() if n["visits"]},
                {"a": 1, "c": 1, "d": 1},
            )
            self.assertIn(self.other_team.id, [t["id"] for t in other["filters"]["teams"]])

    def check_hand_case_local_days(self):
        """The period is of the user's days: T0 (midnight UTC) is the evening before in New
        York, where the day before T0 holds the four entries into A at T0 and nothing
        else; in Tokyo, the day of T0 ends at 15:00 UTC (R3 entered C at 5 h, R1 and R5
        B at 10 h; R2 entered B at 20 h, the day after)."""
        day_before = (T0 - timedelta(days=1)).date().isoformat()
        day = T0.date().isoformat()
        for tz, period, expected in (
            ("America/New_York", {"date_from": day_before, "date_to": day_before}, {"a": 4}),
            ("America/New_York", {"date_to": day_before}, {"a": 4}),
            ("Asia/Tokyo", {"date_from": day, "date_to": day}, {"a": 4, "b": 2, "c": 1}),
            ("UTC", {"date_from": day, "date_to": day}, {"a": 4, "b": 3, "c": 1}),
        ):
            with self.subTest(tz=tz, period=period):
                data = self.env["guide.process"].with_context(tz=tz).get_process_map(self.process.id, period)
                self.assertEqual(
                    {k: n["visits"] for k, n in self.pi_nodes(data).items() if n["visits"]}, expected
                )


class MapRpcAttackCases:
    """Hostile calls of the process map over XML-RPC and JSON-RPC, for a bridge's RPC test
    class (mixed in after ``RpcCase`` and its hand case); ``outsider_groups``: the groups
    of an agent of another company."""

    # Odoo's test runner runs the tests of this shared case in each test class
    allow_inherited_tests_method = True

    outsider_groups = ""

    def test_map_wrong_types_refused(self):
        """Ids and filters of the wrong type are UserErrors naming the value, never
        tracebacks logged at ERROR."""
        step = self.steps["a"].id
        calls = [
            ("get_process_map", ["abc", {}], {}, "'abc' is not a process id"),
            ("get_process_map", [[self.process.id], {}], {}, "is not a process id"),
            # more digits than Python converts (a ValueError logged at ERROR)
            ("get_process_map", ["9" * 5000, {}], {}, "is not a process id"),
            ("get_process_map", [self.process.id, {"user_id": "9" * 5000}], {}, "must be an id, not '999"),
            ("get_process_map", [self.process.id, [1, 2]], {}, "must be a dictionary"),
            ("get_process_map", [self.process.id, "x"], {}, "must be a dictionary"),
            (
                "get_process_map",
                [False, {}],
                {"model_name": "no.such.model"},
                "'no.such.model' is not a model",
            ),
            ("get_process_map", [False, {}], {"model_name": 7}, "7 is not a model"),
            ("action_pi_open_records", ["abc"], {}, "'abc' is not a process id"),
            ("action_pi_open_records", [self.process.id, {}], {"step_id": "x"}, "'x' is not a step id"),
            ("action_pi_open_records", ["9" * 5000], {}, "is not a process id"),
            ("action_pi_open_records", [self.process.id, {}], {"step_id": "9" * 5000}, "is not a step id"),
            (
                "action_pi_open_records",
                [self.process.id, {}],
                {"step_id": step, "next_step_id": [1]},
                "step id",
            ),
        ]
        for protocol in ("xmlrpc", "jsonrpc"):
            call = getattr(self, protocol)
            # the digits of an id (as an URL gives them) are that id
            data = call(self.agent, "guide.process", "get_process_map", [str(self.process.id), {}])
            self.assertEqual(data["process"]["id"], self.process.id)
            if protocol == "jsonrpc":
                # a NUL character (XML cannot carry one): refused before the database sees it
                with self.assertRaises(RpcError) as caught, self.assertNoLogs("odoo.sql_db", "ERROR"):
                    call(
                        self.agent, "guide.process", "get_process_map", [False, {}], {"model_name": "crm\x00"}
                    )
                self.assertIn("is not a model", caught.exception.message)
            for method, args, kwargs, expected in calls:
                with self.subTest(protocol=protocol, method=method, args=args, kwargs=kwargs):
                    with self.assertRaises(RpcError) as caught:
                        call(self.agent, "guide.process", method, args, kwargs)
                    self.assertIn(expected, caught.exception.message)
                    self.assertNotIn("Traceback", caught.exception.message)
                    if protocol == "jsonrpc":
                        self.assertEqual(caught.exception.name, "odoo.exceptions.UserError")

    def test_map_infinite_filters_refused(self):
        """An infinite number as a filter's id (JSON-RPC's Infinity, XML-RPC's inf) is a
        UserError naming the filter, not an OverflowError logged at ERROR."""
        calls = [
            ("get_process_map", [self.process.id, {"user_id": float("inf")}], {}),
            ("get_process_map", [self.process.id, {"team_id": float("-inf")}], {}),
            ("action_pi_open_records", [self.process.id, {"version_id": float("inf")}], {}),
            ("action_pi_open_records", [self.process.id, {"user_id": float("-inf")}], {}),
        ]
        for protocol in ("xmlrpc", "jsonrpc"):
            call = getattr(self, protocol)
            for method, args, kwargs in calls:
                with self.subTest(protocol=protocol, method=method, args=args):
                    with self.assertNoLogs("odoo", "ERROR"), self.assertRaises(RpcError) as caught:
                        call(self.agent, "guide.process", method, args, kwargs)
                    self.assertIn("must be an id, not ", caught.exception.message)
                    if protocol == "jsonrpc":
                        self.assertEqual(caught.exception.name, "odoo.exceptions.UserError")

    def test_map_filters_refused_in_words(self):
        """Filters that cannot be what the map shows are refused in the user's words,
        naming the filter and its value (not Python's "time data ... does not match format"
        or "invalid literal for int()"): a date that is none, a period that ends before it
        starts (it showed empty figures), an id that is none, a version that does not exist
        or is another process's (it showed empty figures too). The filters the map's own
        choices give are taken."""
        other = self.env["guide.process"].create(
            {"name": "PI Other Process", "model_name": self.process.model_name}
        )
        version = self.process.version_ids[:1]
        refused = [
            ({"date_from": "2026-13-45"}, 'the filter "date_from" must be a date (YYYY-MM-DD)'),
            ({"date_to": "yesterday"}, 'the filter "date_to" must be a date (YYYY-MM-DD)'),
            (
                {"date_from": "2026-03-01", "date_to": "2026-02-01"},
                # the dates in the reader's format (en_US: month/day/year)
                "the period ends (02/01/2026) before it starts (03/01/2026)",
            ),
            ({"team_id": "x"}, "the filter \"team_id\" must be an id, not 'x'"),
            ({"user_id": 1.5}, 'the filter "user_id" must be an id, not 1.5'),
            ({"team_id": 99999}, 'the filter "team_id" names no team (99999)'),
            ({"user_id": 2**31 - 1}, f'the filter "user_id" names no user ({2**31 - 1})'),
            (
                {"version_id": other.version_ids[:1].id},
                f"{other.version_ids[:1].id} is not a version of process",
            ),
            ({"version_id": 2**31 - 1}, f"{2**31 - 1} is not a version of process"),
        ]
        for protocol in ("xmlrpc", "jsonrpc"):
            call = getattr(self, protocol)
            for method in ("get_process_map", "action_pi_open_records"):
                for filters, expected in refused:
                    with self.subTest(protocol=protocol, method=method, filters=filters):
                        with self.assertNoLogs("odoo", "ERROR"), self.assertRaises(RpcError) as caught:
                            call(self.agent, "guide.process", method, [self.process.id, filters])
                        self.assertIn(expected, caught.exception.message)
                        if protocol == "jsonrpc":
                            self.assertEqual(caught.exception.name, "odoo.exceptions.UserError")
            # one day, and a version of the process, as the map's choices give them
            data = call(
                self.agent,
                "guide.process",
                "get_process_map",
                [
                    self.process.id,
                    {"date_from": "2026-02-01", "date_to": "2026-02-01", "version_id": version.id},
                ],
            )
            self.assertEqual(data["process"]["id"], self.process.id)

    def test_map_filter_choices_of_other_company_hidden(self):
        """An agent of another company sees the shared process's map without the names of
        the teams and people whose records are in a company they do not belong to."""
        company = self.env["res.company"].create({"name": "PI Other Company"})
        outsider = new_test_user(
            self.env,
            login="pi_outsider",
            groups=self.outsider_groups,
            company_id=company.id,
            company_ids=[(6, 0, company.ids)],
        )
        own = self.xmlrpc(self.agent, "guide.process", "get_process_map", [self.process.id, {}])
        self.assertTrue(own["filters"]["users"])
        self.assertTrue(own["filters"]["teams"])
        for call in (self.xmlrpc, self.jsonrpc):
            data = call(outsider, "guide.process", "get_process_map", [self.process.id, {}])
            self.assertEqual(data["process"]["id"], self.process.id)
            self.assertEqual((data["filters"]["teams"], data["filters"]["users"]), ([], []))
            # the versions are the shared process's, which the outsider reads
            self.assertEqual([v["id"] for v in data["filters"]["versions"]], self.process.version_ids.ids)
            self.assertFalse(data["conformance"]["records"])
