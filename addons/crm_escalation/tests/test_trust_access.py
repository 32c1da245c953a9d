"""Issue 11, findings 3, 5 and 11 for escalations on leads, over RPC as real users."""

from odoo.tests import new_test_user, tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase
from odoo.addons.base_process_guide.tests.trust_common import TrustAccessMixin, audit_rows

from .common import EscalationCommon


@tagged("post_install", "-at_install")
class TestTrustAccessEscalation(TrustAccessMixin, RpcCase, EscalationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_colleague = new_test_user(
            cls.env, login="esc_colleague", groups="sales_team.group_sale_salesman", name="Colin Colleague"
        )
        cls.rule = cls._rule()
        cls.lead = cls._lead(user_id=cls.user_salesman.id)
        cls.lead_colleague = cls._lead(user_id=cls.user_colleague.id)

    def test_clocks_are_the_engines(self):
        clock = self._clock(self.lead, self.rule)
        self.assertTrue(clock)
        for vals in ({"state": "met"}, {"next_escalation_at": False}, {"level_index": 9}):
            self.rpc_fault(self.user_manager, "escalation.clock", "write", [clock.ids, vals])
        fault = self.rpc_fault(
            self.user_salesman, "crm.lead", "write", [self.lead.ids, {"escalation_state": "met"}]
        )
        self.assertIn("set by the process engine", fault)
        self.assertEqual(clock.state, "running")

    def test_clocks_and_logs_readable_where_the_lead_is(self):
        rows = audit_rows(self.env, self.lead | self.lead_colleague, models=("escalation.log",))
        rows["escalation.clock"] = {
            lead: self._clock(lead, self.rule) for lead in self.lead | self.lead_colleague
        }
        self.assert_reads_rows_of(self.user_salesman, rows, self.lead)
        self.assert_reads_rows_of(self.user_colleague, rows, self.lead_colleague)
        self.assert_reads_rows_of(self.user_salesman_all, rows, self.lead | self.lead_colleague)
        self.assert_reads_rows_of(self.user_manager, rows, self.lead | self.lead_colleague)

    def test_rule_actions_are_for_managers(self):
        clock = self._clock(self.lead, self.rule)
        for user in (self.user_salesman, self.user_salesman_all):
            self.rpc_fault(user, "escalation.rule", "action_resync", [self.rule.ids])
            self.rpc_fault(user, "escalation.clock", "action_retry", [clock.ids])
        self.assertIs(
            self.xmlrpc(self.user_manager, "escalation.rule", "action_resync", [self.rule.ids]), True
        )

    def test_resync_of_a_rule_that_does_not_exist_refused(self):
        """A rule id naming no rule (0 passed the access check and reached the database as
        an empty ``IN ()``, logged at ERROR) is refused, naming it."""
        for protocol in ("xmlrpc", "jsonrpc"):
            for ids in ([0], [self.rule.id, 0], [-1]):
                with self.subTest(protocol=protocol, ids=ids), self.assertNoLogs("odoo.sql_db", "ERROR"):
                    fault = self.rpc_fault(
                        self.user_manager, "escalation.rule", "action_resync", [ids], protocol=protocol
                    )
                    self.assertIn("does not exist", fault)
                    self.assertNotIn("Traceback", fault)

    def test_shared_rule_resynced_by_a_user_of_every_company(self):
        """A rule of no company re-evaluates the records of every company: a sales manager of
        one company may no more resync it than change it (over XML-RPC and JSON-RPC)."""
        company_b = self.env["res.company"].create({"name": "Escalations B"})
        manager_b = new_test_user(
            self.env,
            login="esc_manager_b",
            groups="sales_team.group_sale_manager",
            company_id=company_b.id,
            company_ids=[(6, 0, company_b.ids)],
            name="Bea B-Manager",
        )
        self.assertFalse(self.rule.company_id)
        for protocol in ("xmlrpc", "jsonrpc"):
            fault = self.rpc_fault(
                manager_b, "escalation.rule", "action_resync", [self.rule.ids], protocol=protocol
            )
            self.assertIn("applies to every company", fault)
        rule_b = self._rule(
            company_id=company_b.id, crm_team_ids=[(5, 0, 0)], levels=[{"name": "B1", "delay": 4}]
        )
        self.assertIs(self.xmlrpc(manager_b, "escalation.rule", "action_resync", [rule_b.ids]), True)

    def test_clocks_follow_their_lead_to_another_company(self):
        """A lead moved to another company takes its clocks along: the salespeople of that
        company read the clocks of the lead they read (the log keeps its company: audit)."""
        company_b = self.env["res.company"].create({"name": "Escalations B"})
        self.team.company_id = False
        self.user_salesman.company_ids = [(4, company_b.id)]
        user_b = new_test_user(
            self.env,
            login="esc_all_b",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=company_b.id,
            company_ids=[(6, 0, company_b.ids)],
            name="Bob B-Salesman",
        )
        clock = self._clock(self.lead, self.rule)
        self.assertEqual(clock.company_id, self.company)
        self.lead.write({"company_id": company_b.id})
        self.assertEqual(clock.company_id, company_b)
        self.assertEqual(
            self.xmlrpc(user_b, "crm.lead", "search", [[("id", "=", self.lead.id)]]), self.lead.ids
        )
        clock_domain = [("res_model", "=", "crm.lead"), ("res_id", "=", self.lead.id)]
        self.assertEqual(self.xmlrpc(user_b, "escalation.clock", "search", [clock_domain]), clock.ids)
        self.assertFalse(self.xmlrpc(self.user_salesman_all, "escalation.clock", "search", [clock_domain]))

    def test_clocks_follow_their_lead_handed_to_a_salesperson_of_another_company(self):
        """The lead's company changes without being written (Odoo computes it from a
        salesperson of company B only): its clocks go with it all the same."""
        company_b = self.env["res.company"].create({"name": "Escalations B (handed)"})
        self.team.company_id = False
        user_b = new_test_user(
            self.env,
            login="esc_own_b",
            groups="sales_team.group_sale_salesman",
            company_id=company_b.id,
            company_ids=[(6, 0, company_b.ids)],
            name="Bea B-Salesman",
        )
        self.team.member_ids = [(4, user_b.id)]
        clock = self._clock(self.lead, self.rule)
        self.lead.with_context(allowed_company_ids=(self.company | company_b).ids).user_id = user_b
        self.assertEqual(self.lead.company_id, company_b, "Odoo moved the lead with its salesperson")
        self.assertEqual(clock.company_id, company_b)
        clock_domain = [("res_model", "=", "crm.lead"), ("res_id", "=", self.lead.id)]
        self.assertEqual(self.xmlrpc(user_b, "escalation.clock", "search", [clock_domain]), clock.ids)
