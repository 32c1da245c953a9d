from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from .common import HelpdeskGuideCommon


@tagged("post_install", "-at_install")
class TestSecurity(HelpdeskGuideCommon):
    def test_agents_use_guidance_but_do_not_configure(self):
        for model, vals in (
            ("guide.process", {"name": "Mine", "model_name": "helpdesk.ticket"}),
            ("guide.item", {"name": "Mine", "step_id": self.step_triage.id}),
            ("guide.hint", {"name": "Mine", "model_name": "helpdesk.ticket"}),
        ):
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.user_agent).create(vals)
            self.env[model].with_user(self.user_manager).create(vals)
        with self.assertRaises(AccessError):
            self.step_triage.with_user(self.user_own).write({"gate_mode": "advisory"})
        self.assertEqual(self.step_triage.with_user(self.user_own).gate_mode, "block")
        self.assertEqual(self.process.with_user(self.user_own).name, "Support")

    def test_helpdesk_managers_configure_ticket_processes_only(self):
        self._require_crm()
        with self.assertRaises(AccessError):
            self.env["guide.process"].with_user(self.user_manager).create(
                {"name": "Sales", "model_name": "crm.lead"}
            )
        crm_process = self.env["guide.process"].create({"name": "Sales", "model_name": "crm.lead"})
        with self.assertRaises(AccessError):
            crm_process.with_user(self.user_manager).write({"name": "Hacked"})
        # a sales administrator who is a helpdesk administrator too configures both
        sales_admin = self.env["res.users"].create(
            {
                "name": "Sam Sales Admin",
                "login": "hd_guide_sales_admin",
                "groups_id": [
                    (
                        6,
                        0,
                        (
                            self.env.ref("sales_team.group_sale_manager")
                            | self.env.ref("helpdesk_mgmt.group_helpdesk_manager")
                        ).ids,
                    )
                ],
            }
        )
        crm_process.with_user(sales_admin).write({"name": "Sales 2"})
        self.process.with_user(sales_admin).write({"name": "Support 2"})
        # a sales administrator alone configures the lead processes only
        sales_only = new_test_user(
            self.env, login="hd_guide_sales_only", groups="sales_team.group_sale_manager"
        )
        crm_process.with_user(sales_only).write({"name": "Sales 3"})
        with self.assertRaises(AccessError):
            self.process.with_user(sales_only).write({"name": "Hacked"})

    def test_engine_managers_configure_every_process(self):
        engine_admin = new_test_user(
            self.env, login="hd_guide_engine_admin", groups="base_process_guide.group_guide_manager"
        )
        self.process.with_user(engine_admin).write({"name": "Support 2"})
        self.step_triage.with_user(engine_admin).write({"gate_mode": "advisory"})
        self.env["guide.hint"].with_user(engine_admin).create(
            {"name": "Mine", "model_name": "helpdesk.ticket"}
        )
        # a helpdesk administrator who administers the engine too is not limited to tickets
        self.user_manager.groups_id = [(4, self.env.ref("base_process_guide.group_guide_manager").id)]
        if self.crm_guided:
            crm_process = self.env["guide.process"].create({"name": "Sales", "model_name": "crm.lead"})
            crm_process.with_user(self.user_manager).write({"name": "Sales 2"})

    def test_ticking_needs_write_access_to_the_ticket(self):
        other_team = self.env["helpdesk.ticket.team"].create({"name": "Private Team"})
        process_team = self.process.helpdesk_team_ids | other_team
        self.process.helpdesk_team_ids = process_team
        foreign = self._ticket(team_id=other_team.id, user_id=self.user_agent.id)
        line = self._lines(foreign)["Impact assessed"]
        with self.assertRaises(AccessError):
            line.with_user(self.user_own).action_check()
        line.with_user(self.user_agent).action_check()
        self.assertTrue(line.checked)
        with self.assertRaises(AccessError):
            line.with_user(self.user_agent).write({"name": "Renamed"})

    def test_multi_company(self):
        company_b = self.env["res.company"].create({"name": "Support Company B"})
        team_b = self.env["helpdesk.ticket.team"].create({"name": "Team B", "company_id": company_b.id})
        manager_b = self.env["res.users"].create(
            {
                "name": "Bea B",
                "login": "hd_guide_bea_b",
                "company_id": company_b.id,
                "company_ids": [(6, 0, company_b.ids)],
                "groups_id": [(6, 0, self.env.ref("helpdesk_mgmt.group_helpdesk_manager").ids)],
            }
        )
        process_b = self.env["guide.process"].create(
            {
                "name": "Support B",
                "model_name": "helpdesk.ticket",
                "company_id": company_b.id,
                "step_ids": [(0, 0, {"helpdesk_stage_id": self.stage_triage.id})],
            }
        )
        self.assertIn(process_b, self.env["guide.process"].with_user(manager_b).search([]))
        self.assertNotIn(process_b, self.env["guide.process"].with_user(self.user_manager).search([]))
        # a company-B process does not guide main-company tickets, and B tickets get it
        main_ticket = self._ticket(team_id=self.other_team.id)
        self.assertFalse(main_ticket.guide_process_id)
        ticket_b = self._ticket(team_id=team_b.id, company_id=company_b.id, user_id=False)
        self.assertEqual(ticket_b.company_id, company_b)
        self.assertEqual(ticket_b.guide_process_id, process_b)
        line_b = ticket_b.guide_current_line_ids
        self.assertFalse(line_b)  # the B step has no item
        history_b = self.env["guide.history"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket_b.id)]
        )
        self.assertEqual(history_b.company_id, company_b)
        self.assertFalse(
            self.env["guide.history"].with_user(self.user_manager).search([("id", "=", history_b.id)])
        )
        self.assertTrue(self.env["guide.history"].with_user(manager_b).search([("id", "=", history_b.id)]))

    def test_helpdesk_manager_designs_a_process_in_the_ui(self):
        action = self.env.ref("helpdesk_process_guide.guide_process_action_helpdesk")
        self.assertEqual(action.context, "{'default_model_name': 'helpdesk.ticket'}")
        Process = (
            self.env["guide.process"]
            .with_user(self.user_manager)
            .with_context(default_model_name="helpdesk.ticket")
        )
        form = Form(Process)
        form.name = "Second line"
        form.helpdesk_team_ids.add(self.other_team)
        form.helpdesk_min_priority = "2"
        form.save()
        with form.step_ids.new() as step:
            step.helpdesk_stage_id = self.stage_triage
            step.gate_mode = "override"
        process = form.save()
        self.assertEqual(process.model_name, "helpdesk.ticket")
        self.assertEqual(process.step_ids.name, "G-Triage")
        self.assertEqual(process.step_ids.stage_res_id, self.stage_triage.id)
        ticket = self._ticket(team_id=self.other_team.id, priority="3", user_id=self.user_agent.id)
        self.assertEqual(ticket.guide_step_id, process.step_ids)

    def test_employee_following_a_ticket_opens_it(self):
        """OCA helpdesk lets any employee read the tickets they follow: the guidance is for the
        helpdesk users, it must not lock the others out of the ticket form."""
        employee = self.env["res.users"].create(
            {
                "name": "G-Eve Employee",
                "login": "hd_guide_employee",
                "groups_id": [(6, 0, self.env.ref("base.group_user").ids)],
            }
        )
        ticket = self._ticket()
        ticket.message_subscribe(partner_ids=employee.partner_id.ids)
        form = Form(ticket.with_user(employee))
        self.assertEqual(form.name, "Guided ticket")
        arch = ticket.with_user(employee).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn("guide_current_line_ids", arch)
        arch = ticket.with_user(self.user_own).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("guide_current_line_ids", arch)

    def test_feedback_answer_shown_to_agents_editable_by_managers(self):
        view = self.env.ref("base_process_guide.guide_feedback_view_form")
        Feedback = self.env["guide.feedback"]
        agent_arch = Feedback.with_user(self.user_own).get_view(view.id)["arch"]
        manager_arch = Feedback.with_user(self.user_manager).get_view(view.id)["arch"]
        self.assertIn('name="answer"', agent_arch, "agents read the answer to their feedback")
        self.assertNotIn('name="answer_edit"', agent_arch)
        self.assertNotIn('name="action_accept"', agent_arch)
        self.assertIn('name="answer_edit"', manager_arch, "helpdesk managers answer")
        self.assertIn('name="action_accept"', manager_arch)
