"""Issue 11, findings 3, 4, 5 and 11 on tickets, attacked over XML-RPC and JSON-RPC as real users."""

from odoo.tests import new_test_user, tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase
from odoo.addons.base_process_guide.tests.trust_common import TrustAccessMixin, audit_rows

from .common import HelpdeskGuideCommon


@tagged("post_install", "-at_install")
class TestTrustAccessTicket(TrustAccessMixin, RpcCase, HelpdeskGuideCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_team = new_test_user(
            cls.env, login="hd_trust_team", groups="helpdesk_mgmt.group_helpdesk_user_team", name="Tina Team"
        )
        cls.team.user_ids = [(4, cls.user_team.id)]
        cls.user_sales = cls.crm_guided and new_test_user(
            cls.env,
            login="hd_trust_sales",
            groups="sales_team.group_sale_salesman_all_leads",
            name="Sally Sales",
        )
        cls.ticket = cls._ticket(name="Olga's")
        cls.ticket_agent = cls._ticket(name="Alan's", user_id=cls.user_agent.id)

    # finding 3: engine state
    def test_engine_fields_refused(self):
        vals_list = [
            {"guide_step_id": self.step_resolved.id},
            {"guide_process_id": False},
            {"guide_step_entered_at": "2020-01-01 00:00:00"},
        ]
        if "escalation_state" in self.env["helpdesk.ticket"]._fields:
            vals_list.append({"escalation_state": "met"})
        for vals in vals_list:
            for protocol in ("xmlrpc", "jsonrpc"):
                fault = self.rpc_fault(
                    self.user_own, "helpdesk.ticket", "write", [self.ticket.ids, vals], protocol=protocol
                )
                self.assertIn("set by the process engine", fault)
        self.assertEqual(self.ticket.guide_step_id, self.step_triage)
        fault = self.rpc_fault(
            self.user_manager,
            "helpdesk.ticket",
            "create",
            [{"name": "Forged", "description": "<p>x</p>", "guide_step_id": self.step_resolved.id}],
        )
        self.assertIn("Process Step", fault)
        history = self.env["guide.history"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", self.ticket.id)]
        )
        self.rpc_fault(self.user_manager, "guide.history", "write", [history.ids, {"duration_hours": -1}])

    # finding 4: checklist ticks
    def test_tick_needs_write_access_and_is_logged(self):
        line = self._lines(self.ticket_agent)["Impact assessed"]
        self.rpc_fault(self.user_own, "guide.line", "write", [line.ids, {"checked": True}])
        self.rpc_fault(self.user_own, "guide.line", "action_check", [line.ids])
        self.rpc_fault(
            self.user_own,
            "helpdesk.ticket",
            "write",
            [self.ticket.ids, {"guide_line_ids": [(1, line.id, {"checked": True})]}],
        )
        self.assertFalse(line.checked)
        own_line = self._lines(self.ticket)["Impact assessed"]
        self.rpc_fault(
            self.user_own, "guide.line", "write", [own_line.ids, {"checked": True, "checked_by_id": 1}]
        )
        self.xmlrpc(
            self.user_own,
            "guide.line",
            "write",
            [own_line.ids, {"checked": True}],
        )
        self.assertEqual(own_line.checked_by_id, self.user_own)
        self.assertIn("Checklist: Impact assessed done", self.ticket.message_ids[0].body)
        auto = self._lines(self.ticket)["Category set"]
        self.rpc_fault(self.user_own, "guide.line", "action_check", [auto.ids])

    # finding 5: rows readable where their ticket is
    def test_rows_readable_where_the_ticket_is(self):
        team_free = self._ticket(name="Team's", user_id=False)
        other_team = self._ticket(name="Other team's", user_id=False, team_id=self.other_team.id)
        tickets = self.ticket | self.ticket_agent | team_free | other_team
        leads = []
        if self.crm_guided:
            leads = [self.env["crm.lead"].create({"name": "Lead", "user_id": self.user_sales.id})]
        rows = audit_rows(self.env, [*tickets, *leads])
        self.assert_reads_rows_of(self.user_own, rows, self.ticket | team_free)
        self.assert_reads_rows_of(self.user_team, rows, self.ticket | self.ticket_agent | team_free)
        self.assert_reads_rows_of(self.user_agent, rows, tickets)
        self.assert_reads_rows_of(self.user_manager, rows, tickets)
        if leads:
            self.assert_reads_rows_of(self.user_sales, rows, leads[0])

    # finding 11: administrator actions
    def test_apply_to_open_records_is_for_helpdesk_managers(self):
        for user in (self.user_own, self.user_agent):
            self.rpc_fault(user, "guide.process", "action_apply_to_open_records", [self.process.ids])
        result = self.xmlrpc(
            self.user_manager, "guide.process", "action_apply_to_open_records", [self.process.ids]
        )
        self.assertEqual(result["tag"], "display_notification")

    def test_process_only_on_guided_models(self):
        admin = new_test_user(
            self.env, login="guide_engine_admin_hd", groups="base_process_guide.group_guide_manager"
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
                rule = self.env[model].create({"name": "Unused", "model_name": "helpdesk.ticket", **vals})
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

    def test_feedback_changed_by_its_author_or_helpdesk_managers(self):
        Feedback = self.env["guide.feedback"]
        vals = {"name": "Idea", "process_id": self.process.id, "res_model": "helpdesk.ticket"}
        theirs = Feedback.with_user(self.user_agent).create({**vals, "res_id": self.ticket_agent.id})
        # not about a ticket they cannot read, nor someone else's on a ticket they can read
        fault = self.rpc_fault(self.user_own, "guide.feedback", "write", [theirs.ids, {"name": "Forged"}])
        self.assertIn("Feedback", fault)
        self.rpc_fault(self.user_team, "guide.feedback", "write", [theirs.ids, {"name": "Forged"}])
        self.assertEqual(theirs.name, "Idea")
        if self.crm_guided:
            # sales managers configure the lead processes, not the helpdesk's feedback
            sales_manager = new_test_user(
                self.env, login="hd_trust_sales_manager", groups="sales_team.group_sale_manager"
            )
            for method, args in (("write", [theirs.ids, {"name": "Forged"}]), ("unlink", [theirs.ids])):
                self.rpc_fault(sales_manager, "guide.feedback", method, args)
        self.assertIs(self.xmlrpc(self.user_manager, "guide.feedback", "unlink", [theirs.ids]), True)

    def test_feedback_decided_by_helpdesk_managers(self):
        feedback_id = self.xmlrpc(
            self.user_own,
            "guide.feedback",
            "create",
            [
                {
                    "name": "Idea",
                    "process_id": self.process.id,
                    "res_model": "helpdesk.ticket",
                    "res_id": self.ticket.id,
                }
            ],
        )
        for method in ("action_accept", "action_reject"):
            self.rpc_fault(self.user_agent, "guide.feedback", method, [[feedback_id]])
        self.rpc_fault(
            self.user_own,
            "guide.feedback",
            "create",
            [{"name": "Idea", "process_id": self.process.id, "state": "accepted"}],
        )
        self.assertIs(
            self.xmlrpc(self.user_manager, "guide.feedback", "action_reject", [[feedback_id]]), True
        )
