from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import T0, HelpdeskEscalationCommon


@tagged("post_install", "-at_install")
class TestSecurity(HelpdeskEscalationCommon):
    def test_helpdesk_users_read_but_cannot_edit_logs_or_rules(self):
        rule = self._rule()
        with self._at(T0):
            ticket = self._ticket(user_id=self.user_own.id)
        self._run_at(self._h(5))
        log = self._logs(ticket)
        self.assertTrue(log)
        clock = self._clock(ticket, rule)
        for user in (self.user_own, self.user_agent, self.user_manager):
            # rows are readable where the ticket is (the escalation may have handed it to someone else)
            if ticket.with_user(user).has_access("read"):
                log.with_user(user).read(["actions", "helpdesk_team_id"])
                clock.with_user(user).read(["state"])
            else:
                with self.assertRaises(AccessError):
                    log.with_user(user).read(["actions"])
            with self.assertRaises(AccessError):
                log.with_user(user).write({"actions": "forged"})
            with self.assertRaises(AccessError):
                log.with_user(user).unlink()
            with self.assertRaises(AccessError):
                self.Log.with_user(user).create(
                    {
                        "res_model": "helpdesk.ticket",
                        "res_id": ticket.id,
                        "kind": "manual",
                        "trigger": "manual",
                        "outcome": "done",
                    }
                )
            with self.assertRaises(AccessError):
                clock.with_user(user).write({"state": "done"})
        for user in (self.user_own, self.user_agent):
            with self.assertRaises(AccessError):
                rule.with_user(user).write({"name": "Mine"})
            with self.assertRaises(AccessError):
                rule.level_ids[0].with_user(user).write({"delay": 100})
            with self.assertRaises(AccessError):
                rule.with_user(user).action_resync()
        rule.with_user(self.user_manager).write({"name": "Renamed by the helpdesk manager"})
        rule.level_ids[0].with_user(self.user_manager).write({"delay": 3})
        self.assertTrue(rule.with_user(self.user_manager).action_resync())
        # agents see the state on the ticket and the escalations in its smart button
        self.assertEqual(ticket.with_user(self.user_agent).escalation_state, "escalated")
        self.assertEqual(ticket.with_user(self.user_agent).escalation_log_count, 1)

    def test_helpdesk_managers_configure_ticket_rules_only(self):
        self._requires_crm_escalation()
        vals = {
            "name": "Stale leads",
            "model_name": "crm.lead",
            "level_ids": [(0, 0, {"name": "L1", "delay": 4})],
        }
        with self.assertRaises(AccessError):
            self.env["escalation.rule"].with_user(self.user_manager).create(vals)
        lead_rule = self.env["escalation.rule"].create(vals)
        with self.assertRaises(AccessError):
            lead_rule.with_user(self.user_manager).write({"name": "Hacked"})
        with self.assertRaises(AccessError):
            lead_rule.level_ids.with_user(self.user_manager).write({"delay": 1})
        ticket_rule = (
            self.env["escalation.rule"]
            .with_user(self.user_manager)
            .create(
                {
                    "name": "Ticket SLA",
                    "model_name": "helpdesk.ticket",
                    "helpdesk_team_ids": [(6, 0, self.team.ids)],
                    "level_ids": [(0, 0, {"name": "L1", "delay": 4, "assign_to": "team_leader"})],
                }
            )
        )
        self.assertEqual(ticket_rule.level_count, 1)

    def test_helpdesk_users_do_not_see_lead_escalations(self):
        self._requires_crm_escalation()
        lead = self.env["crm.lead"].create({"name": "E-Secret deal"})
        self.Log.sudo()._escalation_create_rows(
            [
                {
                    "res_model": "crm.lead",
                    "res_id": lead.id,
                    "record_name": lead.name,
                    "kind": "manual",
                    "trigger": "manual",
                    "outcome": "done",
                }
            ]
        )
        domain = [("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)]
        self.assertFalse(self.Log.with_user(self.user_manager).search(domain))
        salesman = self.env["res.users"].create(
            {
                "name": "E-Sally Sales",
                "login": "hd_esc_salesman",
                "groups_id": [
                    (
                        6,
                        0,
                        (
                            self.env.ref("sales_team.group_sale_salesman")
                            | self.env.ref("helpdesk_mgmt.group_helpdesk_user")
                        ).ids,
                    )
                ],
            }
        )
        # salespeople see the escalations of the leads they can read, and only those
        self.assertFalse(self.Log.with_user(salesman).search(domain))
        lead.user_id = salesman
        self.assertTrue(
            self.Log.with_user(salesman).search(domain), "salespeople see the escalations of their leads"
        )

    def test_helpdesk_manager_designs_a_rule_through_the_form(self):
        action = self.env.ref("helpdesk_escalation.escalation_rule_action_helpdesk")
        Rule = (
            self.env["escalation.rule"].with_user(self.user_manager).with_context(**safe_eval(action.context))
        )
        form = Form(Rule)
        self.assertEqual(form.model_name, "helpdesk.ticket")
        form.name = "First response"
        form.process_id = self.process
        form.helpdesk_team_ids.add(self.team)
        form.trigger_type = "creation"
        form.time_mode = "working"
        form.calendar_source = "team"
        form.pause_step_ids.add(self.step_waiting)
        form.met_step_ids.add(self.step_progress)
        with form.level_ids.new() as level:
            level.name = "Second line"
            level.delay = 2
            level.assign_to = "team"
            level.assign_helpdesk_team_id = self.other_team
            level.helpdesk_tag_ids.add(self.tag)
        rule = form.save()
        self.assertEqual(rule.level_ids.assign_helpdesk_team_id, self.other_team)
        self.assertIn(rule, Rule.search(safe_eval(action.domain)))
        ticket = self._ticket()
        self.assertEqual(self._clock(ticket, rule).state, "running")

    def test_ticket_form_for_agents_and_for_other_employees(self):
        self._rule()
        with self._at(T0):
            ticket = self._ticket()
        self._run_at(self._h(5))
        form = Form(ticket.with_user(self.user_agent))
        self.assertEqual(form.escalation_badge, "Escalated: L1 team leader")
        self.assertEqual(form.escalation_log_count, 1)
        # an employee outside the helpdesk who follows the ticket sees the badge, not the log
        employee = self.env["res.users"].create(
            {
                "name": "E-Eve Employee",
                "login": "hd_esc_employee",
                "groups_id": [(6, 0, self.env.ref("base.group_user").ids)],
            }
        )
        ticket.message_subscribe(partner_ids=employee.partner_id.ids)
        as_employee = ticket.with_user(employee)
        self.assertEqual(
            as_employee.read(["escalation_badge"])[0]["escalation_badge"], "Escalated: L1 team leader"
        )
        arch = as_employee.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("escalation_badge", arch)
        self.assertNotIn("escalation_log_count", arch)
        self.assertNotIn("escalation_clock_ids", arch)
        arch = ticket.with_user(self.user_own).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("escalation_log_count", arch)

    def test_customer_cannot_search_their_tickets_by_escalation(self):
        """A customer (portal) reads none of the escalation fields of their ticket, nor finds
        out by searching which of their tickets are escalated, at risk or breached: the
        search is refused as the read is; agents search as before."""
        self._rule()
        customer = new_test_user(self.env, login="hd_esc_customer", groups="base.group_portal")
        with self._at(T0):
            ticket = self._ticket(user_id=self.user_agent.id, partner_id=customer.partner_id.id)
        self._run_at(self._h(5))
        self.assertEqual(ticket.escalation_state, "escalated")
        Ticket = self.env["helpdesk.ticket"].with_user(customer)
        self.assertEqual(Ticket.search([]), ticket, "the customer reads their ticket")
        for fname in ("escalation_escalated", "escalation_at_risk", "escalation_breached"):
            for value in (True, False):
                with self.assertRaises(AccessError, msg=f"{fname} = {value}"):
                    Ticket.search([(fname, "=", value)])
        agent = self.env["helpdesk.ticket"].with_user(self.user_agent)
        self.assertIn(ticket, agent.search([("escalation_escalated", "=", True)]))
