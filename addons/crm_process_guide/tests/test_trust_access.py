"""Issue 11, findings 3, 4, 5 and 11 on leads, attacked over XML-RPC and JSON-RPC as real users."""

from datetime import datetime

from odoo.tests import new_test_user, tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase, RpcError
from odoo.addons.base_process_guide.tests.trust_common import TrustAccessMixin, audit_rows

from .common import GuideCommon


@tagged("post_install", "-at_install")
class TestTrustAccessLead(TrustAccessMixin, RpcCase, GuideCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_colleague = new_test_user(
            cls.env, login="guide_colleague", groups="sales_team.group_sale_salesman", name="Colin Colleague"
        )
        cls.lead = cls._lead(name="Mine")
        cls.lead_colleague = cls._lead(name="Colleague's", user_id=cls.user_colleague.id)

    def _line(self, lead, name="Budget confirmed"):
        return self._lines(lead)[name]

    # finding 3: engine state
    def test_engine_fields_refused_on_write(self):
        for vals in (
            {"guide_step_id": self.step_won.id},
            {"guide_process_id": False},
            {"guide_step_entered_at": "2020-01-01 00:00:00"},
        ):
            for protocol in ("xmlrpc", "jsonrpc"):
                fault = self.rpc_fault(
                    self.user_salesman, "crm.lead", "write", [self.lead.ids, vals], protocol=protocol
                )
                self.assertIn("set by the process engine", fault)
        self.assertEqual(self.lead.guide_step_id, self.step_qualif)
        self.assertEqual(self.lead.guide_process_id, self.process)

    def test_engine_fields_refused_on_create_and_import(self):
        vals = {"name": "Forged", "team_id": self.team.id, "stage_id": self.stage_qualif.id}
        fault = self.rpc_fault(
            self.user_salesman,
            "crm.lead",
            "create",
            [{**vals, "guide_step_entered_at": "2020-01-01 00:00:00"}],
        )
        self.assertIn("In Stage Since", fault)
        result = self.xmlrpc(
            self.user_salesman,
            "crm.lead",
            "load",
            [["name", "team_id/.id", "guide_step_id/.id"], [["Imported", self.team.id, self.step_won.id]]],
        )
        self.assertFalse(result["ids"])
        self.assertIn("Process Step", str(result["messages"]))
        # a default_* key sent by the client is ignored for engine fields
        lead_id = self.xmlrpc(
            self.user_salesman,
            "crm.lead",
            "create",
            [vals],
            {"context": {"default_guide_step_entered_at": "2020-01-01 00:00:00"}},
        )
        entered = self.env["crm.lead"].browse(lead_id).guide_step_entered_at
        self.assertGreater(entered, datetime(2021, 1, 1))

    def test_audit_rows_not_writable(self):
        history = self.env["guide.history"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", self.lead.id)]
        )
        self.assertTrue(history)
        fault = self.rpc_fault(
            self.user_manager, "guide.history", "write", [history.ids, {"duration_hours": -9}]
        )
        # said in the screens' words: the rows and the field, not their technical names
        self.assertIn("Stage History: written by the process engine only", fault)
        self.assertIn("Hours in Previous Step", fault)
        fault = self.rpc_fault(
            self.user_manager,
            "guide.deviation",
            "create",
            [
                {
                    "kind": "gate",
                    "rule_name": "x",
                    "reason": "x",
                    "res_model": "crm.lead",
                    "res_id": self.lead.id,
                }
            ],
        )
        self.assertIn("Process Deviation: written by the process engine only", fault)

    # finding 4: checklist ticks
    def test_checklist_of_a_step_left_stays_as_it_was(self):
        """The checklist a lead left a step with is what the history, the deviation and the
        step effectiveness report: it is not ticked afterwards, on any path; the step's
        lines are ticked again once the lead is back in it."""
        lead = self._lead(name="Left in a hurry", stage_id=self.stage_proposal.id)
        line = self._line(lead, "Proposal sent")
        self.xmlrpc(
            self.user_salesman,
            "crm.lead",
            "write",
            [lead.ids, {"stage_id": self.stage_nego.id}],
            {"context": {"guide_override_reason": "Customer in a hurry"}},
        )
        self.assertEqual(lead.guide_step_id, self.step_nego)
        for method, args in (("action_check", [line.ids]), ("write", [line.ids, {"checked": True}])):
            fault = self.rpc_fault(self.user_salesman, "guide.line", method, args, protocol="jsonrpc")
            self.assertIn("left step", fault)
            self.assertIn("Proposal sent", fault)
        fault = self.rpc_fault(
            self.user_salesman,
            "crm.lead",
            "write",
            [lead.ids, {"guide_line_ids": [(1, line.id, {"checked": True})]}],
            protocol="jsonrpc",
        )
        self.assertIn("left step", fault)
        line.invalidate_recordset()
        self.assertFalse(line.checked)
        # back in the step: its checklist goes on
        lead.with_user(self.user_salesman).stage_id = self.stage_proposal
        line.with_user(self.user_salesman).action_check()
        self.assertTrue(line.checked)

    def test_tick_sets_who_and_when_and_is_logged(self):
        line = self._line(self.lead)
        self.xmlrpc(self.user_salesman, "guide.line", "write", [line.ids, {"checked": True}])
        self.assertTrue(line.checked)
        self.assertEqual(line.checked_by_id, self.user_salesman)
        self.assertTrue(line.checked_date)
        self.assertIn("Checklist: Budget confirmed done", self.lead.message_ids[0].body)
        # who and when are the engine's
        for vals in (
            {"checked_by_id": self.user_manager.id},
            {"checked": True, "checked_date": "2020-01-01 00:00:00"},
        ):
            fault = self.rpc_fault(
                self.user_salesman, "guide.line", "write", [line.ids, vals], protocol="jsonrpc"
            )
            self.assertIn("ticked or unticked", fault)
        # what a client sends is not echoed whole: names no field has, shortened and bounded
        for vals in ({"checked": True, "x" * 10_000: 1}, {f"no_such_field_{i:02d}": 1 for i in range(40)}):
            fault = self.rpc_fault(
                self.user_salesman, "guide.line", "write", [line.ids, vals], protocol="jsonrpc"
            )
            self.assertIn("ticked or unticked", fault)
            self.assertNotIn("x" * 40, fault)
            self.assertNotIn("no_such_field_10", fault)
            self.assertLess(len(fault), 2_000)
        self.assertIn(
            "'" + "x" * 39 + "…'",
            self.rpc_fault(
                self.user_salesman, "guide.line", "write", [line.ids, {"x" * 10_000: 1}], protocol="jsonrpc"
            ),
        )
        self.assertEqual(line.checked_by_id, self.user_salesman)
        # through the record's one2many: same path, same note
        self.xmlrpc(
            self.user_salesman,
            "crm.lead",
            "write",
            [self.lead.ids, {"guide_line_ids": [(1, line.id, {"checked": False})]}],
        )
        self.assertFalse(line.checked)
        self.assertFalse(line.checked_by_id)
        self.assertIn("no longer done", self.lead.message_ids[0].body)
        # an import ticking it: its ".id" column names the line, nothing else is set
        result = self.xmlrpc(
            self.user_salesman, "guide.line", "load", [[".id", "checked"], [[str(line.id), "1"]]]
        )
        self.assertEqual((result["ids"], result["messages"]), ([line.id], []))
        self.assertEqual((line.checked, line.checked_by_id), (True, self.user_salesman))
        self.xmlrpc(self.user_salesman, "guide.line", "write", [line.ids, {"checked": False}])
        # the computed checklist of the record is no way around it
        fault = self.rpc_fault(
            self.user_salesman,
            "crm.lead",
            "write",
            [self.lead.ids, {"guide_current_line_ids": [(1, line.id, {"checked": True})]}],
        )
        self.assertIn("set by the process engine", fault)
        # automatic items are never ticked by hand
        auto = self._line(self.lead, "Expected revenue set")
        fault = self.rpc_fault(self.user_salesman, "guide.line", "write", [auto.ids, {"checked": True}])
        self.assertIn("automatically", fault)

    def test_tick_needs_write_access_to_the_record(self):
        line = self._line(self.lead_colleague)
        for method, args in (
            ("write", [line.ids, {"checked": True}]),
            ("action_check", [line.ids]),
            ("action_toggle", [line.ids]),
        ):
            self.rpc_fault(self.user_salesman, "guide.line", method, args)
        # nor through a one2many command on one's own lead
        self.rpc_fault(
            self.user_salesman,
            "crm.lead",
            "write",
            [self.lead.ids, {"guide_line_ids": [(1, line.id, {"checked": True})]}],
        )
        self.assertFalse(line.checked)
        # the owner can
        self.xmlrpc(self.user_colleague, "guide.line", "action_check", [line.ids])
        self.assertEqual(line.checked_by_id, self.user_colleague)

    # finding 5: rows readable where their record is
    def test_rows_readable_where_the_record_is(self):
        lead_free = self._lead(name="Nobody's", user_id=False)
        records = self.lead | self.lead_colleague | lead_free
        rows = audit_rows(self.env, records)
        self.assert_reads_rows_of(self.user_salesman, rows, self.lead | lead_free)
        self.assert_reads_rows_of(self.user_colleague, rows, self.lead_colleague | lead_free)
        self.assert_reads_rows_of(self.user_salesman_all, rows, records)
        self.assert_reads_rows_of(self.user_manager, rows, records)
        # a lead reassigned to a colleague takes its rows along
        self.lead.user_id = self.user_colleague
        self.assert_reads_rows_of(self.user_salesman, rows, lead_free)
        # counters on the record read the rows the user may read
        self.assertEqual(self.lead_colleague.with_user(self.user_colleague).guide_history_count, 2)

    def test_rows_of_tickets_hidden_from_salespeople(self):
        if "helpdesk.ticket" not in self.env:
            self.skipTest("helpdesk_mgmt is not installed")
        ticket = self.env["helpdesk.ticket"].create({"name": "T", "description": "<p>d</p>"})
        rows = audit_rows(self.env, ticket)
        self.assert_reads_rows_of(self.user_salesman_all, rows, self.env["crm.lead"])
        self.assert_reads_rows_of(self.user_manager, rows, self.env["crm.lead"])

    # finding 11: administrator actions
    def test_apply_to_open_records_is_for_process_administrators(self):
        for user in (self.user_salesman, self.user_salesman_all):
            fault = self.rpc_fault(user, "guide.process", "action_apply_to_open_records", [self.process.ids])
            self.assertIn("guide.process", fault)
        result = self.xmlrpc(
            self.user_manager, "guide.process", "action_apply_to_open_records", [self.process.ids]
        )
        self.assertEqual(result["tag"], "display_notification")

    def test_process_only_on_guided_models(self):
        admin = new_test_user(
            self.env, login="guide_engine_admin_crm", groups="base_process_guide.group_guide_manager"
        )
        for model_name in ("res.partner", "res.users"):
            fault = self.rpc_fault(
                admin, "guide.process", "create", [{"name": "Forged", "model_name": model_name}]
            )
            self.assertIn("is not a guided model", fault)
            self.rpc_fault(admin, "guide.process", "write", [self.process.ids, {"model_name": model_name}])
        # the same on the escalation and compliance engines' rules, when installed
        others = {
            "escalation.rule": {"level_ids": [(0, 0, {"name": "L1", "delay": 1})]},
            "compliance.policy": {"requirement": "[]", "message": "Forged"},
        }
        for model, vals in others.items():
            if model in self.env:
                fault = self.rpc_fault(
                    admin, model, "create", [{"name": "Forged", "model_name": "res.partner", **vals}]
                )
                self.assertIn("is not a guided model", fault)
                # changed to one, a rule that timed or checked no record yet
                rule = self.env[model].create({"name": "Unused", "model_name": "crm.lead", **vals})
                fault = self.rpc_fault(admin, model, "write", [rule.ids, {"model_name": "res.users"}])
                self.assertIn("is not a guided model", fault)
        # the configuration forms, given one (the form offers none): no scope, no error
        with self.assertNoLogs("odoo.http", "ERROR"):
            for model in ("guide.process", "guide.step", *others):
                if model not in self.env:
                    continue
                fields = self.env[model]._fields
                spec = {name: {} for name in ("model_name", "scope_domain", "stage_model") if name in fields}
                with self.subTest(model=model):
                    values = self.jsonrpc(
                        admin, model, "onchange", [[], {"model_name": "res.users"}, ["model_name"], spec]
                    )["value"]
                    self.assertFalse(values.get("stage_model"))
                    self.assertEqual(values.get("scope_domain", "[]"), "[]")

    def test_feedback_changed_by_its_author_or_administrators(self):
        Feedback = self.env["guide.feedback"]
        vals = {"name": "Idea", "process_id": self.process.id, "res_model": "crm.lead"}
        theirs = Feedback.with_user(self.user_colleague).create({**vals, "res_id": self.lead_colleague.id})
        mine = Feedback.with_user(self.user_salesman).create({**vals, "res_id": self.lead.id})
        # not about a lead they cannot read, nor someone else's on a lead they can read
        for user in (self.user_salesman, self.user_salesman_all):
            fault = self.rpc_fault(user, "guide.feedback", "write", [theirs.ids, {"name": "Forged"}])
            self.assertIn("Feedback", fault)
        self.rpc_fault(self.user_colleague, "guide.feedback", "write", [mine.ids, {"name": "Forged"}])
        self.assertIs(
            self.xmlrpc(self.user_salesman, "guide.feedback", "write", [mine.ids, {"name": "Mine"}]), True
        )
        self.assertEqual(Feedback.browse((theirs | mine).ids).mapped("name"), ["Idea", "Mine"])
        self.rpc_fault(self.user_salesman_all, "guide.feedback", "unlink", [theirs.ids])
        # feedback is reviewed: its author changes it, the administrators delete it
        fault = self.rpc_fault(self.user_salesman, "guide.feedback", "unlink", [mine.ids])
        self.assertIn("only the administrators of B2B Sales delete feedback", fault)
        self.assertNotIn("other people", fault)
        # the dialog's confirmation, for a feedback that exists and is the user's to read
        self.assertEqual(
            self.xmlrpc(self.user_salesman, "guide.feedback", "action_send", [mine.ids])["tag"],
            "display_notification",
        )
        self.rpc_fault(self.user_salesman, "guide.feedback", "action_send", [theirs.ids])
        self.assertIs(self.xmlrpc(self.user_manager, "guide.feedback", "unlink", [theirs.ids]), True)
        fault = self.rpc_fault(self.user_salesman, "guide.feedback", "action_send", [theirs.ids])
        self.assertIn("does not exist", fault)

    def test_decided_feedback_changed_by_administrators_only(self):
        """Once accepted or rejected, the author no longer rewrites their feedback nor moves it
        to another step: what the administrators decided stays what they decided on."""
        vals = {"name": "Ask for the budget", "process_id": self.process.id, "res_model": "crm.lead"}
        mine = (
            self.env["guide.feedback"].with_user(self.user_salesman).create({**vals, "res_id": self.lead.id})
        )
        self.assertIs(
            self.xmlrpc(self.user_salesman, "guide.feedback", "write", [mine.ids, {"name": "Ask"}]), True
        )
        self.assertIs(self.xmlrpc(self.user_manager, "guide.feedback", "action_accept", [mine.ids]), True)
        for protocol in ("xmlrpc", "jsonrpc"):
            for change in ({"name": "Skip the budget"}, {"description": "Never mind"}, {"step_id": False}):
                fault = self.rpc_fault(
                    self.user_salesman, "guide.feedback", "write", [mine.ids, change], protocol=protocol
                )
                self.assertIn("was decided", fault)
        self.assertEqual(mine.name, "Ask")
        self.assertIs(
            self.xmlrpc(self.user_manager, "guide.feedback", "write", [mine.ids, {"response": "Done"}]), True
        )

    def test_feedback_decided_by_administrators_only(self):
        feedback_id = self.xmlrpc(
            self.user_salesman,
            "guide.feedback",
            "create",
            [
                {
                    "name": "Idea",
                    "process_id": self.process.id,
                    "res_model": "crm.lead",
                    "res_id": self.lead.id,
                }
            ],
        )
        for method in ("action_accept", "action_reject"):
            self.rpc_fault(self.user_salesman_all, "guide.feedback", method, [[feedback_id]])
        # nor self-accepted at creation, nor sent in someone else's name
        self.rpc_fault(
            self.user_salesman,
            "guide.feedback",
            "create",
            [{"name": "Idea", "process_id": self.process.id, "state": "accepted"}],
        )
        other_id = self.xmlrpc(
            self.user_salesman,
            "guide.feedback",
            "create",
            [{"name": "Idea", "process_id": self.process.id, "user_id": self.user_manager.id}],
        )
        self.assertEqual(self.env["guide.feedback"].browse(other_id).user_id, self.user_salesman)
        # nor through the context defaults
        self.rpc_fault(
            self.user_salesman,
            "guide.feedback",
            "create",
            [{"name": "Idea", "process_id": self.process.id}],
            {"context": {"default_state": "accepted"}},
        )
        self.rpc_fault(
            self.user_salesman,
            "guide.feedback",
            "create",
            [{"name": "Idea", "process_id": self.process.id}],
            {"context": {"default_res_model": "crm.lead", "default_res_id": self.lead_colleague.id}},
        )
        # nor about a record they cannot read
        self.rpc_fault(
            self.user_salesman,
            "guide.feedback",
            "create",
            [
                {
                    "name": "Idea",
                    "process_id": self.process.id,
                    "res_model": "crm.lead",
                    "res_id": self.lead_colleague.id,
                }
            ],
        )
        self.assertIs(
            self.xmlrpc(self.user_manager, "guide.feedback", "action_accept", [[feedback_id]]), True
        )
        self.assertEqual(self.env["guide.feedback"].browse(feedback_id).state, "accepted")
        with self.assertRaises(RpcError):
            self.xmlrpc(self.user_salesman, "guide.feedback", "write", [[feedback_id], {"response": "Done"}])
