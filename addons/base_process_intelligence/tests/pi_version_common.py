"""Process versions in the figures: the hand case (pi_common) recorded under v1, then a
checklist item added to step C at T0 + 750 h makes v2, and a sixth record R6 lives
under v2 (not a test itself):

    R6: A@800 -> B@810 -> C@830 (open)

v1: the hand case's figures exactly (15 stage changes, 5 records)
v2: A 1 visit of 10 h, B 1 visit of 20 h, C 1 in progress; one variant ABC, conformant;
    3 stage changes, 1 record
all versions: A 6 visits
"""

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form

from odoo.addons.base_process_guide.tests.rpc_common import RpcError

from .pi_common import add_history, at, policy_and_rule


class VersionHandCaseMixin:
    """The test class is a hand case (``HandCaseMixin``) and implements
    ``version_record(name)`` (a new record of the model, not guided by the engine)."""

    @classmethod
    def setup_versions(cls):
        # the transaction of the fixtures ends: v1 is the design they made
        cls.env.cr.flush()
        with freeze_time(at(750)):
            cls.env["guide.item"].with_user(cls.manager).create(
                {"name": "Budget signed", "step_id": cls.steps["c"].id}
            )
            cls.env.cr.flush()
        cls.v1, cls.v2 = cls.process.version_ids.sorted("version")
        cls.r6 = cls.version_record("R6")
        add_history(
            cls.env,
            cls.r6,
            cls.process,
            [(800, "a", "free"), (810, "b", "free"), (830, "c", "free")],
            cls.steps,
            team_field=cls.team_field,
            team_id=cls.team.id if cls.team_field else False,
        )
        cls.env["guide.step.visit"]._pi_refresh()

    def check_versions_made(self):
        versions = self.process.version_ids
        self.assertEqual(versions.mapped("version"), [2, 1])
        self.assertEqual(self.v2.author_id, self.manager)
        self.assertEqual(self.v2.date, at(750))
        self.assertNotIn("Budget signed", self.v1.summary)
        self.assertIn("Budget signed", self.v2.summary)
        self.assertIn("+   Item Budget signed", self.v2.changes)
        self.assertFalse(self.v1.changes)
        # the history rows name the version that guided them
        history = self.env["guide.history"].search([("process_id", "=", self.process.id)])
        counts = {}
        for row in history:
            counts[row.process_version_id] = counts.get(row.process_version_id, 0) + 1
        self.assertEqual(counts, {self.v1: 15, self.v2: 3})
        self.assertEqual(history.filtered(lambda h: h.res_id == self.r6.id).process_version_id, self.v2)

    def check_map_by_version(self):
        v1 = self.pi_map(user=self.manager, filters={"version_id": self.v1.id})
        self.check_hand_case_nodes(v1)
        self.check_hand_case_edges(v1)
        self.check_hand_case_variants(v1, with_outcome=False)
        v2 = self.pi_map(user=self.manager, filters={"version_id": self.v2.id})
        nodes = self.pi_nodes(v2)
        self.assertEqual({k: n["visits"] for k, n in nodes.items() if n["visits"]}, {"a": 1, "b": 1, "c": 1})
        self.assertAlmostEqual(nodes["a"]["median_hours"], 10.0)
        self.assertAlmostEqual(nodes["b"]["median_hours"], 20.0)
        self.assertEqual(nodes["c"]["in_progress"], 1)
        self.assertEqual([self.pi_path(v) for v in v2["variants"]], ["abc"])
        self.assertEqual((v2["conformance"]["records"], v2["conformance"]["conformant"]), (1, 1))
        every = self.pi_nodes(self.pi_map(user=self.manager))
        self.assertEqual(every["a"]["visits"], 6)
        # the filter offers the process's versions, the last first
        offered = self.pi_map(user=self.agent)["filters"]["versions"]
        self.assertEqual(offered, [{"id": self.v2.id, "name": "v2"}, {"id": self.v1.id, "name": "v1"}])
        # the records behind a node, by version
        action = (
            self.env["guide.process"]
            .with_user(self.manager)
            .action_pi_open_records(self.process.id, {"version_id": self.v2.id}, step_id=self.steps["a"].id)
        )
        self.assertEqual(self.r6.search(action["domain"]), self.r6)

    def check_compare_versions(self):
        wizard = (
            self.env["guide.compare.wizard"]
            .with_user(self.manager)
            .create(
                {
                    "compare_mode": "version",
                    "res_model": self.process.model_name,
                    "process_id": self.process.id,
                    "version_a_id": self.v1.id,
                    "version_b_id": self.v2.id,
                }
            )
        )
        # the days each version was in force (v1 from the first stage change)
        self.assertEqual((wizard.date_a_from, wizard.date_b_from), (at(0).date(), at(750).date()))
        wizard.action_compare()
        figures = {line.name: (line.value_a, line.value_b) for line in wizard.line_ids}
        self.assertEqual(figures["Stage changes"], (15.0, 3.0))
        self.assertEqual(figures["Records handled"], (5.0, 1.0))
        # a version not chosen yet is saved (leaving the page saves it), and not compared
        wizard.write({"version_b_id": False})
        with self.assertRaisesRegex(UserError, "choose a process and two of its versions"):
            wizard.action_compare()
        # a version against itself compares nothing
        with self.assertRaisesRegex(UserError, "is on both sides"):
            wizard.write({"version_b_id": self.v1.id})

    def check_compare_refuses_another_process_s_version(self):
        """A version of another process is refused naming its field, in either mode (in
        *Two periods* too, where it is not compared), and the page clears the versions
        when another process is chosen."""
        other = self.env["guide.process"].create({"name": "PI other", "model_name": self.process.model_name})
        Wizard = self.env["guide.compare.wizard"].with_user(self.manager)
        for mode in ("period", "version"):
            with self.subTest(mode=mode), self.assertRaises(ValidationError) as caught:
                Wizard.create(
                    {
                        "compare_mode": mode,
                        "process_id": self.process.id,
                        "version_a_id": other.version_ids.id,
                        "version_b_id": self.v2.id,
                    }
                )
            self.assertIn('"Before: Version"', str(caught.exception))
        wizard = Wizard.create({"process_id": self.process.id})
        with self.assertRaises(ValidationError):
            wizard.write({"version_b_id": other.version_ids.id})
        with Form(Wizard) as form:
            form.compare_mode = "version"
            form.process_id = self.process
            form.version_a_id = self.v1
            form.process_id = other
            self.assertFalse(form.version_a_id)

    def check_compare_versions_checks_and_escalations(self):
        """The policy checks and escalations of a version's time are of its process: of
        their policy's or rule's, else of the one the record was in (its stage history);
        a record in no process then counts for none."""
        model_name = self.process.model_name
        policy, anywhere, rule = policy_and_rule(self.env, model_name, self.process)

        def row(record, hours):
            return {"res_model": model_name, "res_id": record.id, "date": at(hours)}

        self.env["compliance.log"].sudo().create(
            [
                dict(row(self.r6, 820), policy_id=p.id, policy_name=p.name, event="stage", outcome="passed")
                for p in (policy, anywhere)
            ]
        )
        escalation = {"kind": "escalation", "trigger": "auto", "outcome": "done", "to_user_id": self.agent.id}
        manual = dict(escalation, kind="manual", trigger="manual")
        self.env["escalation.log"].sudo().create(
            [
                dict(row(self.r6, 820), rule_id=rule.id, **escalation),
                dict(row(self.records["r1"], 45), **manual),
                # R4 entered the process at 720 h
                dict(row(self.records["r4"], 700), **manual),
            ]
        )
        wizard = (
            self.env["guide.compare.wizard"]
            .with_user(self.manager)
            .create(
                {
                    "compare_mode": "version",
                    "res_model": model_name,
                    "process_id": self.process.id,
                    "version_a_id": self.v1.id,
                    "version_b_id": self.v2.id,
                }
            )
        )
        wizard.action_compare()
        figures = {line.name: (line.value_a, line.value_b) for line in wizard.line_ids}
        self.assertEqual(figures["Policy checks"], (0.0, 2.0))
        self.assertEqual(figures["Escalations received"], (1.0, 1.0))

    def check_versions_engine_owned(self):
        """Nobody creates, edits or deletes a version, not even its process's administrator;
        the process's users read them."""
        Version = self.env["guide.process.version"]
        self.assertEqual(
            Version.with_user(self.agent).search([("process_id", "=", self.process.id)]).ids,
            (self.v2 | self.v1).ids,
        )
        for user in (self.agent, self.manager):
            with self.assertRaises(AccessError):
                Version.with_user(user).create(
                    {"process_id": self.process.id, "version": 9, "snapshot": "{}"}
                )
            with self.assertRaises(AccessError):
                self.v1.with_user(user).write({"summary": "rewritten"})
            with self.assertRaises(AccessError):
                self.v1.with_user(user).unlink()
            history = self.env["guide.history"].search([("res_id", "=", self.r6.id)], limit=1)
            with self.assertRaises(UserError):  # an AccessError or the engine's refusal
                history.with_user(user).write({"process_version_id": self.v1.id})
        with self.assertRaises(UserError):
            self.v1.sudo().write({"summary": "rewritten"})
        with self.assertRaises(UserError):
            self.v1.sudo().unlink()
        self.assertEqual(self.v1.version, 1)


class VersionRpcAttackCases:
    """Over XML-RPC and JSON-RPC as real users (mixed into an ``RpcCase`` hand case)."""

    # Odoo's test runner runs the tests of this shared case in each test class
    allow_inherited_tests_method = True

    def test_versions_refused_over_rpc(self):
        for user in (self.agent, self.manager):
            for protocol in ("xmlrpc", "jsonrpc"):
                self.rpc_fault(
                    user,
                    "guide.process.version",
                    "create",
                    [{"process_id": self.process.id, "version": 9, "snapshot": "{}"}],
                    protocol=protocol,
                )
                self.rpc_fault(
                    user, "guide.process.version", "write", [self.v1.ids, {"summary": "x"}], protocol=protocol
                )
                self.rpc_fault(user, "guide.process.version", "unlink", [self.v1.ids], protocol=protocol)
        rows = self.xmlrpc(
            self.agent,
            "guide.process.version",
            "search_read",
            [[("process_id", "=", self.process.id)]],
            {"fields": ["version", "summary"]},
        )
        self.assertEqual([row["version"] for row in rows], [2, 1])
        self.assertEqual(self.process.version_ids.mapped("version"), [2, 1])
        # the map's version filter takes ids only
        with self.assertRaises(RpcError):
            self.xmlrpc(
                self.manager, "guide.process", "get_process_map", [self.process.id, {"version_id": "v1"}]
            )
