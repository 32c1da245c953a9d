import ast
import inspect
import json
import textwrap

from odoo import models
from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase, RpcError

from .common import GuideCommon

OUR_MODULES = {
    "base_process_guide",
    "base_escalation",
    "base_policy_compliance",
    "crm_process_guide",
    "crm_escalation",
    "crm_policy_compliance",
    "helpdesk_process_guide",
    "helpdesk_escalation",
    "helpdesk_policy_compliance",
    "base_process_intelligence",
    "crm_process_intelligence",
    "helpdesk_process_intelligence",
}
DECISION = "odoo.addons.base_process_guide.exceptions.GuideDecisionRequired"
PROTOCOLS = ("xmlrpc", "jsonrpc")


def _always_returns_a_value(statements):
    """Whether a block ends, on every path, with ``return <value>`` or ``raise``."""
    if not statements:
        return False
    last = statements[-1]
    if isinstance(last, ast.Raise):
        return True
    if isinstance(last, ast.Return):
        return last.value is not None
    if isinstance(last, ast.If):
        return _always_returns_a_value(last.body) and _always_returns_a_value(last.orelse)
    if isinstance(last, ast.With):
        return _always_returns_a_value(last.body)
    if isinstance(last, ast.Try):
        return _always_returns_a_value(last.body + last.orelse) and all(
            _always_returns_a_value(handler.body) for handler in last.handlers
        )
    return False


def _public_methods(registry):
    """(class name, method name, function) of every public method our modules define on a
    model, except the ORM's own API (create, write...), which the ORM marshals."""
    orm_api = set(dir(models.BaseModel))
    seen = set()
    for model_class in registry.values():
        for klass in model_class.__mro__:
            module = klass.__module__.split(".")
            if len(module) < 3 or module[:2] != ["odoo", "addons"] or module[2] not in OUR_MODULES:
                continue
            for name, function in vars(klass).items():
                if name.startswith("_") or name in orm_api or not inspect.isfunction(function):
                    continue
                key = (klass.__module__, klass.__qualname__, name)
                if key not in seen:
                    seen.add(key)
                    yield f"{klass.__module__.split('.')[2]}.{klass.__qualname__}", name, function


@tagged("post_install", "-at_install")
class TestTrustRpc(RpcCase, GuideCommon):
    """The process guide over XML-RPC and JSON-RPC as real users."""

    def test_public_methods_return_marshallable_values(self):
        """Every public method of our models returns a value on every path (never None)."""
        checked, missing = [], []
        for class_name, name, function in _public_methods(self.env.registry):
            tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
            body = tree.body[0].body
            bare = [
                node
                for node in ast.walk(tree)
                if isinstance(node, ast.Return)
                and (
                    node.value is None or (isinstance(node.value, ast.Constant) and node.value.value is None)
                )
            ]
            if bare or not _always_returns_a_value(body):
                missing.append(f"{class_name}.{name}")
            checked.append(f"{class_name}.{name}")
        self.assertIn("base_process_guide.GuideFeedback.action_accept", checked)
        # the other modules' methods are checked when they are installed (not when
        # this module is tested alone, as OCA CI does: 19 methods of its own)
        with_policies = "base_policy_compliance" in self.env.registry._init_modules
        if with_policies:
            self.assertIn("base_policy_compliance.GuideMixin.compliance_request_approval", checked)
        if "base_process_intelligence" in self.env.registry._init_modules:
            self.assertIn("base_process_intelligence.GuideCompareWizard.action_compare", checked)
        self.assertGreater(len(checked), 30 if with_policies else 15)
        self.assertFalse(missing, "public methods that may return None over RPC")

    def test_feedback_accept_reject_over_rpc(self):
        lead = self._lead()
        for protocol in PROTOCOLS:
            call = self.xmlrpc if protocol == "xmlrpc" else self.jsonrpc
            ids = [
                call(
                    self.user_salesman,
                    "guide.feedback",
                    "create",
                    [{"name": f"Shorter checklist {protocol} {i}", "process_id": self.process.id}],
                    {"context": {"default_res_model": "crm.lead", "default_res_id": lead.id}},
                )
                for i in range(2)
            ]
            self.assertIs(call(self.user_manager, "guide.feedback", "action_accept", [ids[:1]]), True)
            self.assertIs(call(self.user_manager, "guide.feedback", "action_reject", [ids[1:]]), True)
            feedback = self.env["guide.feedback"].browse(ids)
            self.assertEqual(feedback.mapped("state"), ["accepted", "rejected"], protocol)

    def test_feedback_on_no_record_opens_no_record(self):
        """*Open the Record* of feedback given on a process, on no record, is refused naming
        the feedback (it answered an action on nothing: no model, record 0)."""
        feedback_id = self.xmlrpc(
            self.user_salesman,
            "guide.feedback",
            "create",
            [{"name": "Fewer steps", "process_id": self.process.id}],
        )
        self.assertFalse(self.env["guide.feedback"].browse(feedback_id).res_model)
        with self.assertNoLogs("odoo.http", "ERROR"):
            for protocol in PROTOCOLS:
                fault = self.rpc_fault(
                    self.user_manager,
                    "guide.feedback",
                    "action_open_record",
                    [[feedback_id]],
                    protocol=protocol,
                )
                self.assertIn(
                    "Process Feedback “Fewer steps” concerns no record: there is no record to open.", fault
                )

    def test_gate_override_over_rpc_not_logged_as_error(self):
        lead = self._lead(stage_id=self.stage_proposal.id)
        with self.assertNoLogs("odoo.http", "ERROR"):
            for protocol in PROTOCOLS:
                call = self.xmlrpc if protocol == "xmlrpc" else self.jsonrpc
                with self.assertRaises(RpcError) as caught:
                    call(
                        self.user_salesman, "crm.lead", "write", [[lead.id], {"stage_id": self.stage_nego.id}]
                    )
                self.assertIn("Cannot move to G-Negotiation", caught.exception.message)
                self.assertIn("Proposal sent", caught.exception.message)
                self.assertNotIn("guide_override_reason", caught.exception.message)
                if protocol == "jsonrpc":
                    self.assertEqual(caught.exception.name, DECISION)
                # the stage sent as a list of its id, which Odoo takes: refused as a change the
                # dialog cannot replay (a TypeError logged at ERROR)
                with self.assertRaises(RpcError) as caught:
                    call(
                        self.user_salesman,
                        "crm.lead",
                        "write",
                        [[lead.id], {"stage_id": [self.stage_nego.id]}],
                    )
                self.assertIn("Proposal sent", caught.exception.message)
            self.assertIs(
                self.jsonrpc(
                    self.user_salesman,
                    "crm.lead",
                    "write",
                    [[lead.id], {"stage_id": self.stage_nego.id}],
                    {
                        "context": {
                            "guide_override_reason": "Signed today",
                            "guide_override_reason_id": self.reason.id,
                        }
                    },
                ),
                True,
            )
        self.assertEqual(lead.stage_id, self.stage_nego)
        deviation = self.env["guide.deviation"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)]
        )
        self.assertEqual((deviation.reason, deviation.reason_id), ("Signed today", self.reason))

    def test_search_by_a_field_computed_when_shown_refused(self):
        """Odoo logs an error and ignores such a condition, answering every record: a
        salesperson filtering by the missing items or the number of deviations got them all
        (the escalation state likewise: ``helpdesk_escalation``'s test)."""
        self._lead()
        with self.assertNoLogs("odoo.osv.expression", "ERROR"), self.assertNoLogs("odoo.http", "ERROR"):
            for field, value in (("guide_missing_items", "Proposal"), ("guide_deviation_count", 1)):
                for protocol in PROTOCOLS:
                    fault = self.rpc_fault(
                        self.user_salesman,
                        "crm.lead",
                        "search_count",
                        [[(field, "=", value)]],
                        protocol=protocol,
                    )
                    label = self.env["crm.lead"]._fields[field].string
                    self.assertIn(f"cannot be searched by {label}", fault)
            # the rows about a record and the configuration likewise
            for user, model, field in (
                (self.user_salesman, "guide.line", "is_done"),
                (self.user_manager, "guide.process", "step_count"),
            ):
                fault = self.rpc_fault(user, model, "search", [[(field, "=", 1)]])
                label = self.env[model]._fields[field].string
                self.assertIn(f"cannot be searched by {label}", fault)
        # the filters of the search bar still search
        self.assertIsInstance(
            self.xmlrpc(self.user_salesman, "crm.lead", "search_count", [[("guide_overdue", "=", True)]]),
            int,
        )

    def test_group_or_sort_by_a_field_computed_when_shown_refused(self):
        """Grouping, aggregating or sorting by a field worked out when shown failed with a
        ValueError logged: refused by name, as a search by it is."""
        self._lead()
        with self.assertNoLogs("odoo.http", "ERROR"):
            for user, model, field in (
                (self.user_salesman, "crm.lead", "guide_missing_items"),
                (self.user_salesman, "crm.lead", "guide_overdue"),
                (self.user_salesman, "crm.lead", "guide_deadline"),
                # the rows about a record and the configuration likewise
                (self.user_salesman, "guide.line", "is_done"),
                (self.user_manager, "guide.process", "step_count"),
            ):
                label = self.env[model]._fields[field].string
                for protocol in PROTOCOLS:
                    for method, args, kwargs in (
                        ("web_read_group", [[], ["id:count"], [field]], {}),
                        ("read_group", [[], [f"{field}:max"], ["id"]], {}),
                        ("search", [[]], {"order": f"{field} desc", "limit": 2}),
                        ("web_search_read", [[]], {"specification": {"id": {}}, "order": f"id, {field}"}),
                    ):
                        with self.subTest(model=model, field=field, method=method, protocol=protocol):
                            fault = self.rpc_fault(user, model, method, args, kwargs, protocol=protocol)
                            self.assertIn(f"cannot be sorted or grouped by {label}", fault)
        # stored fields still sort and group
        self.assertIsInstance(
            self.xmlrpc(self.user_salesman, "crm.lead", "read_group", [[], ["id:count"], ["guide_step_id"]]),
            list,
        )

    def test_step_duration_bounded_over_rpc(self):
        fault = self.rpc_fault(
            self.user_manager,
            "guide.step",
            "write",
            [[self.step_proposal.id], {"expected_duration": 1e9}],
            protocol="jsonrpc",
        )
        self.assertIn(f"Step {self.step_proposal.display_name}", fault)
        self.assertIn("at most 10 years", fault)
        self.assertEqual(self.step_proposal.expected_duration, 5)

    def test_hint_feedback_only_on_the_hints_of_the_record(self):
        """An acknowledgement or a *Not helpful* mark is counted by step effectiveness:
        a client naming a hint of another process or company, a hint that does not exist
        or a record of a model no process guides is refused, nothing recorded and no
        ERROR logged."""
        lead = self._lead(expected_revenue=60000, user_id=self.user_salesman.id)
        other_process = self.env["guide.process"].create(
            {"name": "Other B2B", "model_name": "crm.lead", "crm_team_ids": [(6, 0, self.other_team.ids)]}
        )
        other_company = self.env["res.company"].create({"name": "Hint Other Company"})
        Hint = self.env["guide.hint"]
        of_process = Hint.create({"name": "Ours", "model_name": "crm.lead", "process_id": self.process.id})
        of_other_process = Hint.create(
            {"name": "Theirs", "model_name": "crm.lead", "process_id": other_process.id}
        )
        of_other_company = Hint.create(
            {"name": "Elsewhere", "model_name": "crm.lead", "company_id": other_company.id}
        )
        on_lead = {"context": {"guide_res_model": "crm.lead", "guide_res_id": lead.id}}
        partner = self.user_salesman.partner_id
        with self.assertNoLogs("odoo.http", "ERROR"), self.assertNoLogs("odoo.sql_db", "ERROR"):
            for protocol in PROTOCOLS:
                fault = self.rpc_fault(
                    self.user_salesman,
                    "guide.hint",
                    "action_acknowledge",
                    [of_other_process.ids],
                    on_lead,
                    protocol=protocol,
                )
                self.assertIn("Hint Theirs does not concern", fault)
                self.assertIn("Other B2B", fault)
                fault = self.rpc_fault(
                    self.user_salesman,
                    "guide.hint",
                    "action_mark_unhelpful",
                    [[999999999]],
                    on_lead,
                    protocol=protocol,
                )
                self.assertIn("999999999 do not exist", fault)
                self.rpc_fault(
                    self.user_salesman,
                    "guide.hint",
                    "action_acknowledge",
                    [of_other_company.ids],
                    on_lead,
                    protocol=protocol,
                )
                fault = self.rpc_fault(
                    self.user_salesman,
                    "guide.hint",
                    "action_acknowledge",
                    [of_process.ids],
                    {"context": {"guide_res_model": "res.partner", "guide_res_id": partner.id}},
                    protocol=protocol,
                )
                self.assertIn("from the record it is shown on", fault)
        self.assertFalse(self.env["guide.hint.feedback"].search([("user_id", "=", self.user_salesman.id)]))
        self.assertIs(
            self.xmlrpc(self.user_salesman, "guide.hint", "action_acknowledge", [of_process.ids], on_lead),
            True,
        )
        self.assertEqual(of_process.ack_count, 1)

    def test_record_named_by_the_context_of_the_wrong_type(self):
        """The hints' state on the record and the *Add* button of a suggested task read the
        record from the client's context (``guide_res_model``, ``guide_res_id``): a model
        name or an id of the wrong type (text, list, dict, a float, NaN) names no record: the
        state is empty and the action a UserError naming the value, shortened, never a
        traceback logged at ERROR; nothing is recorded."""
        lead = self._lead(expected_revenue=60000, user_id=self.user_salesman.id)
        hint = self.env["guide.hint"].create(
            {"name": "Ours", "model_name": "crm.lead", "process_id": self.process.id}
        )
        task = self.env["guide.task"].create({"step_id": lead.guide_step_id.id, "name": "Context check"})
        contexts = [
            {"guide_res_model": "crm.lead", "guide_res_id": "abc"},
            {"guide_res_model": "crm.lead", "guide_res_id": [lead.id, "x"]},
            {"guide_res_model": ["crm.lead"], "guide_res_id": lead.id},
            {"guide_res_model": "crm.lead", "guide_res_id": 1.5},
            {"guide_res_model": "x" * 5000, "guide_res_id": lead.id},
        ]
        for protocol in PROTOCOLS:
            call = self.xmlrpc if protocol == "xmlrpc" else self.jsonrpc
            cases = contexts + (
                [{"guide_res_model": "crm.lead", "guide_res_id": float("nan")}]
                if protocol == "jsonrpc"
                else []
            )
            for context in cases:
                with self.subTest(protocol=protocol, context=str(context)[:80]):
                    with self.assertNoLogs("odoo.http", "ERROR"), self.assertNoLogs("odoo.sql_db", "ERROR"):
                        [state] = call(
                            self.user_salesman,
                            "guide.hint",
                            "read",
                            [hint.ids, ["context_acknowledged", "context_unhelpful"]],
                            {"context": context},
                        )
                        self.assertEqual(
                            (state["context_acknowledged"], state["context_unhelpful"]), (False, False)
                        )
                        fault = self.rpc_fault(
                            self.user_salesman,
                            "guide.task",
                            "action_guide_open_add",
                            [task.ids],
                            {"context": context},
                            protocol=protocol,
                        )
                        self.assertNotIn("Traceback", fault)
                        self.assertLess(len(fault), 300)
                        fault = self.rpc_fault(
                            self.user_salesman,
                            "guide.hint",
                            "action_acknowledge",
                            [hint.ids],
                            {"context": context},
                            protocol=protocol,
                        )
                        self.assertIn("from the record it is shown on", fault)
        fault = self.rpc_fault(
            self.user_salesman,
            "guide.task",
            "action_guide_open_add",
            [task.ids],
            {"context": {"guide_res_model": "crm.lead", "guide_res_id": "abc"}},
        )
        self.assertIn("'abc' is not an id of", fault)
        # the task's own record still opens its dialog
        action = self.xmlrpc(
            self.user_salesman,
            "guide.task",
            "action_guide_open_add",
            [task.ids],
            {"context": {"guide_res_model": "crm.lead", "guide_res_id": lead.id}},
        )
        self.assertEqual(action["context"]["default_res_id"], lead.id)
        self.assertFalse(self.env["guide.hint.feedback"].search([("hint_id", "=", hint.id)]))

    def test_another_company_s_configuration_is_never_named(self):
        """Ids of another company's configuration sent to the panel's actions, to feedback or
        as an override reason are refused as ids naming nothing the user may read: never
        with the name of that company's alternate step, task, milestone, step or reason. An
        archived reason, no longer offered, is refused the same way; feedback naming a
        record without its model too."""
        lead = self._lead(stage_id=self.stage_proposal.id)
        company_b = self.env["res.company"].create({"name": "Secret Company"})
        process_b = self.env["guide.process"].create(
            {"name": "Secret process", "model_name": "crm.lead", "company_id": company_b.id}
        )
        alt_b = self.env["guide.step"].create(
            {"process_id": process_b.id, "kind": "alternate", "name": "Secret alternate"}
        )
        step_b = self.env["guide.step"].create(
            {"process_id": process_b.id, "name": "Secret step", "crm_stage_id": self.stage_proposal.id}
        )
        task_b = self.env["guide.task"].create({"step_id": step_b.id, "name": "Secret task"})
        milestone_b = self.env["guide.milestone"].create(
            {"process_id": process_b.id, "name": "Secret milestone", "reach_mode": "manual"}
        )
        Reason = self.env["guide.deviation.reason"]
        reason_b = Reason.create({"name": "Secret reason", "company_id": company_b.id})
        archived = Reason.create({"name": "Old reason", "active": False})
        calls = [
            (
                "crm.lead",
                "action_guide_enter_alternate",
                [lead.ids, alt_b.id, "x"],
                {},
                "not an alternate step",
            ),
            ("crm.lead", "action_guide_add_task", [lead.ids, task_b.id], {}, "no longer exists"),
            ("crm.lead", "action_guide_reach_milestone", [lead.ids, milestone_b.id], {}, "no longer exists"),
            (
                "guide.feedback",
                "create",
                [{"name": "Probe", "process_id": self.process.id, "step_id": alt_b.id}],
                {},
                f"#{alt_b.id} is not of this process",
            ),
            (
                "guide.feedback",
                "create",
                [{"name": "Probe", "process_id": self.process.id, "res_id": lead.id}],
                {},
                f"'#{lead.id}' is not of this process",
            ),
        ]
        for reason in (reason_b, archived):
            calls += [
                (
                    "crm.lead",
                    "write",
                    [lead.ids, {"stage_id": self.stage_nego.id}],
                    {"context": {"guide_override_reason": "x", "guide_override_reason_id": reason.id}},
                    "does not exist",
                ),
                (
                    "guide.override.wizard",
                    "create",
                    [
                        {
                            "res_model": "crm.lead",
                            "res_ids": json.dumps(lead.ids),
                            "stage_res_id": self.stage_nego.id,
                            "reason": "x",
                            "reason_id": reason.id,
                        }
                    ],
                    {},
                    "does not exist",
                ),
            ]
        with self.assertNoLogs("odoo.http", "ERROR"):
            for protocol in PROTOCOLS:
                for model, method, args, kwargs, expected in calls:
                    with self.subTest(protocol=protocol, model=model, method=method):
                        fault = self.rpc_fault(
                            self.user_salesman, model, method, args, kwargs, protocol=protocol
                        )
                        self.assertIn(expected, fault)
                        self.assertNotIn("Secret", fault)
        lead.invalidate_recordset()
        self.assertEqual(lead.stage_id, self.stage_proposal)

    def test_onchange_reads_no_step_the_client_sends(self):
        """A form's onchange gets its values back from the client: a step or alternate step
        sent there (another company's) is not read as the record's, its instructions, goal
        and gate with it, for a lead being edited or created; the lead's own wording
        applies, nothing logged as an error."""
        lead = self._lead(stage_id=self.stage_proposal.id)
        self.step_proposal.write({"instructions": "<p>Our proposal</p>", "goal": "Our goal"})
        company_b = self.env["res.company"].create({"name": "Secret Company"})
        process_b = self.env["guide.process"].create(
            {"name": "Secret process", "model_name": "crm.lead", "company_id": company_b.id}
        )
        step_b = self.env["guide.step"].create(
            {
                "process_id": process_b.id,
                "crm_stage_id": self.stage_proposal.id,
                "instructions": "<p>Secret instructions</p>",
                "goal": "Secret goal",
                "gate_mode": "override",
            }
        )
        alt_b = self.env["guide.step"].create(
            {"process_id": process_b.id, "kind": "alternate", "name": "Detour", "instructions": "Secret alt"}
        )
        spec = dict.fromkeys(
            ["name", "guide_instructions", "guide_goal", "guide_gate_mode", "guide_alt_instructions"], {}
        )
        spec["guide_step_id"] = {"fields": {"display_name": {}}}
        to_step_b = {"name": "Changed", "guide_step_id": step_b.id, "guide_alt_step_id": alt_b.id}
        # nor the process a team of that company would give the lead
        team_b = self.env["crm.team"].create({"name": "Secret team", "company_id": company_b.id})
        to_team_b = {"name": "Changed", "team_id": team_b.id, "company_id": company_b.id}
        with self.assertNoLogs("odoo.http", "ERROR"):
            for protocol in PROTOCOLS:
                call = getattr(self, protocol)
                for ids, names, sent in (
                    (lead.ids, ["name"], to_step_b),
                    (lead.ids, ["guide_step_id"], to_step_b),
                    ([], [], to_step_b),
                    (lead.ids, ["team_id"], to_team_b),
                    ([], ["team_id"], to_team_b),
                    ([], [], to_team_b),
                ):
                    with self.subTest(protocol=protocol, ids=ids, names=names):
                        result = call(self.user_salesman, "crm.lead", "onchange", [ids, sent, names, spec])
                        self.assertNotIn("Secret", str(result))
                        step = result.get("value", {}).get("guide_step_id") or {}
                        self.assertNotEqual(step.get("id"), step_b.id)
                        if ids:
                            # the lead's own wording stays (an onchange returns what changed)
                            self.assertEqual(
                                result.get("value", {}).get("guide_goal", "Our goal"), "Our goal"
                            )
                # a new lead of the salesperson's team reads its own step's wording
                own = {"name": "New", "team_id": lead.team_id.id, "stage_id": self.stage_proposal.id}
                result = call(self.user_salesman, "crm.lead", "onchange", [[], own, [], spec])
                self.assertEqual(result["value"]["guide_goal"], "Our goal")

    def test_feedback_names_its_own_process(self):
        """Feedback names a process, one of its steps and items and a record of the model it
        guides: a step or item of another process, a record of another model, an id that
        does not exist (the database's foreign key) or that is no id, a state that is none
        of its choices, is refused naming the value, nothing recorded and no ERROR logged."""
        lead = self._lead(user_id=self.user_salesman.id)
        other_process = self.env["guide.process"].create(
            {"name": "Other B2B", "model_name": "crm.lead", "crm_team_ids": [(6, 0, self.other_team.ids)]}
        )
        other_step = self.env["guide.step"].create(
            {"process_id": other_process.id, "crm_stage_id": self.stage_qualif.id}
        )
        item = self.step_qualif.item_ids[0]
        base = {"name": "Shorter checklist", "process_id": self.process.id}
        refusals = [
            ({"process_id": 999999999}, "999999999 is not an id of Process"),
            ({"process_id": "abc"}, "'abc' is not an id of Process"),
            ({"step_id": 999999999}, "999999999 is not an id of Step"),
            ({"item_id": [item.id]}, f"[{item.id}] is not an id of Item"),
            ({"res_model": "crm.lead", "res_id": "abc"}, "'abc' is not an id of Record"),
            ({"step_id": other_step.id}, "is not of this process"),
            ({"step_id": self.step_proposal.id, "item_id": item.id}, "is not of this process"),
            ({"state": "evil"}, "'evil' is not one of its choices (New, Accepted, Rejected)"),
        ]
        if "helpdesk.ticket" in self.env:
            refusals.append(({"res_model": "helpdesk.ticket", "res_id": lead.id}, "is not of this process"))
        before = self.env["guide.feedback"].search_count([])
        with self.assertNoLogs("odoo.http", "ERROR"), self.assertNoLogs("odoo.sql_db", "ERROR"):
            for protocol in PROTOCOLS:
                for vals, expected in refusals:
                    with self.subTest(protocol=protocol, vals=vals):
                        fault = self.rpc_fault(
                            self.user_salesman,
                            "guide.feedback",
                            "create",
                            [{**base, **vals}],
                            protocol=protocol,
                        )
                        self.assertIn(expected, fault)
                fault = self.rpc_fault(
                    self.user_salesman,
                    "guide.feedback",
                    "create",
                    [base],
                    {"context": {"default_step_id": 999999999}},
                    protocol=protocol,
                )
                self.assertIn("999999999 is not an id of Step", fault)
        self.assertEqual(self.env["guide.feedback"].search_count([]), before)
        feedback_id = self.xmlrpc(
            self.user_salesman,
            "guide.feedback",
            "create",
            [{**base, "step_id": self.step_qualif.id, "item_id": item.id}],
            {"context": {"default_res_model": "crm.lead", "default_res_id": lead.id}},
        )
        fault = self.rpc_fault(
            self.user_salesman, "guide.feedback", "write", [[feedback_id], {"process_id": other_process.id}]
        )
        self.assertIn("is not of this process", fault)
        with self.assertNoLogs("odoo.http", "ERROR"):
            fault = self.rpc_fault(
                self.user_manager, "guide.feedback", "write", [[feedback_id], {"state": "done"}]
            )
            self.assertIn("'done' is not one of its choices", fault)
            fault = self.rpc_fault(
                self.user_salesman, "guide.feedback", "create", [base], {"context": {"default_state": 4}}
            )
            self.assertIn("4 is not one of its choices", fault)
        self.assertEqual(self.env["guide.feedback"].browse(feedback_id).state, "new")

    def test_actions_on_ids_naming_no_record_refused(self):
        """The buttons and dialogs of the guidance, called on id 0, are refused as a record
        that does not exist (they named "False", opened a dialog on nothing, or reported a
        configuration updated), and those of one record on two ids as such (a ValueError
        logged as an error)."""
        admin = self.env.ref("base.user_admin")
        self.assert_ids_refused(
            admin,
            [
                ("guide.process", "action_apply_to_open_records", True),
                ("guide.process", "action_view_records", True),
                ("guide.process", "action_view_feedback", True),
                ("guide.process", "action_view_versions", True),
                ("guide.feedback", "action_send", True),
                ("guide.feedback", "action_accept", False),
                ("guide.feedback", "action_reject", False),
                ("guide.hint", "action_view_acknowledgements", True),
                ("guide.hint", "action_view_unhelpful", True),
                ("guide.hint", "action_acknowledge", False),
                ("guide.hint", "action_mark_unhelpful", False),
                ("guide.hint", "action_undo_unhelpful", False),
                ("guide.line", "action_check", False),
                ("guide.line", "action_uncheck", False),
                ("guide.line", "action_toggle", False),
                ("guide.task", "action_guide_open_add", True),
                ("guide.task.wizard", "action_confirm", True),
                ("guide.milestone.wizard", "action_confirm", True),
                ("guide.alternate.wizard", "action_confirm", True),
                ("guide.override.wizard", "action_confirm", True),
                ("crm.lead", "action_guide_open_history", True),
                ("crm.lead", "action_guide_open_deviations", True),
                ("crm.lead", "action_guide_open_checklist_history", True),
                ("crm.lead", "action_guide_feedback", True),
                ("crm.lead", "action_guide_open_alternate_wizard", True),
                ("crm.lead", "action_guide_open_add_task", True),
                ("crm.lead", "action_guide_open_reach_milestone", True),
                ("crm.lead", "action_guide_open_milestones", True),
                ("crm.lead", "action_guide_open_task_logs", True),
                ("crm.lead", "action_guide_complete_alternate", False),
            ],
        )

    def test_ids_naming_no_record_refused(self):
        """Id 0, which the ORM reads as an empty new record, names no checklist line nor
        process: ticking it, or copying it, is refused naming the id (the line's empty
        model was a KeyError logged as an error; the copy, a process named "False (copy)"),
        as an id that does not exist is."""
        processes = self.env["guide.process"].search_count([])
        admin = self.env.ref("base.user_admin")
        with self.assertNoLogs("odoo.http", "ERROR"):
            for protocol in PROTOCOLS:
                for method, args in (
                    ("action_check", [[0]]),
                    ("action_uncheck", [[0]]),
                    ("action_toggle", [[0]]),
                    ("write", [[0], {"checked": True}]),
                ):
                    with self.subTest(protocol=protocol, method=method):
                        fault = self.rpc_fault(
                            self.user_salesman, "guide.line", method, args, protocol=protocol
                        )
                        self.assertIn("Checklist Line 0 does not exist or has been deleted.", fault)
                fault = self.rpc_fault(admin, "guide.process", "copy", [[0]], protocol=protocol)
                self.assertIn("Guided Process 0 does not exist or has been deleted.", fault)
                # an id no row has: the ORM's own refusal
                fault = self.rpc_fault(admin, "guide.process", "copy", [[999999999]], protocol=protocol)
                self.assertIn("does not exist or has been deleted", fault)
            # who may not copy a process learns nothing of which ids exist
            fault = self.rpc_fault(self.user_salesman, "guide.process", "copy", [[0]], protocol=protocol)
            self.assertNotIn("does not exist", fault)
        self.assertEqual(self.env["guide.process"].search_count([]), processes)

    def test_record_buttons_refuse_records_not_read(self):
        """The buttons of a lead's form (its history, deviations, milestones...) called on an
        id that names no lead, or on a lead the user may not read, are refused as Odoo
        refuses the record, not answered with a list (empty) of nothing."""
        other = self._lead(name="Not mine", user_id=self.user_manager.id)
        buttons = (
            "action_guide_open_history",
            "action_guide_open_deviations",
            "action_guide_open_checklist_history",
            "action_guide_open_milestones",
            "action_guide_open_task_logs",
        )
        with self.assertNoLogs("odoo.http", "ERROR"):
            for button in buttons:
                with self.subTest(button=button):
                    fault = self.rpc_fault(self.user_salesman, "crm.lead", button, [[999999999]])
                    self.assertIn("does not exist or has been deleted", fault)
                    fault = self.rpc_fault(self.user_salesman, "crm.lead", button, [[other.id]])
                    self.assertIn("doesn't have 'read' access", fault)
