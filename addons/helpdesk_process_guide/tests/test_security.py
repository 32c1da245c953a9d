from odoo.exceptions import AccessError, ValidationError
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
        # a stage of every company (a company's process is on its stages or on shared ones)
        self.stage_triage.company_id = False
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

    def test_company_process_is_limited_to_its_companys_helpdesk_records(self):
        """A helpdesk manager of one company cannot limit their process to another company's
        teams, categories or channels, nor put its steps on another company's stages (whose
        names they then read): refused naming the field and the company; the same for a
        company's policy and its teams."""
        company_b = self.env["res.company"].create({"name": "Support Company B"})
        team_b = self.env["helpdesk.ticket.team"].create({"name": "Team B", "company_id": company_b.id})
        category_b = self.env["helpdesk.ticket.category"].create(
            {"name": "B only", "company_id": company_b.id}
        )
        channel_b = self.env["helpdesk.ticket.channel"].create(
            {"name": "B channel", "company_id": company_b.id}
        )
        stage_b = self.env["helpdesk.ticket.stage"].create({"name": "B stage", "company_id": company_b.id})
        main = self.env.company
        process = self.env["guide.process"].create(
            {"name": "Main support", "model_name": "helpdesk.ticket", "company_id": main.id}
        )
        process = process.with_user(self.user_manager)
        for fname, record in (
            ("helpdesk_team_ids", team_b),
            ("helpdesk_category_ids", category_b),
            ("helpdesk_channel_ids", channel_b),
        ):
            with self.assertRaisesRegex(ValidationError, f"must be of {main.name} or of no company"):
                process.write({fname: [(6, 0, record.ids)]})
        with self.assertRaisesRegex(ValidationError, "“B stage”"):
            process.write({"step_ids": [(0, 0, {"name": "Theirs", "helpdesk_stage_id": stage_b.id})]})
        # a process moved to another company whose steps are on this one's stages
        process.write({"step_ids": [(0, 0, {"name": "Ours", "helpdesk_stage_id": self.stage_progress.id})]})
        with self.assertRaisesRegex(ValidationError, "G-In Progress"):
            process.sudo().company_id = company_b
        # a process of every company links what it needs (the demo's links a company's team)
        shared = self.env["guide.process"].create(
            {"name": "Shared support", "model_name": "helpdesk.ticket", "helpdesk_team_ids": team_b.ids}
        )
        self.assertEqual(shared.helpdesk_team_ids, team_b)

    def test_each_app_manager_configures_its_deviation_reasons(self):
        """A helpdesk manager edits the reasons of tickets and of every model, a sales manager
        those of leads and of every model: neither creates, changes, archives, deletes or moves
        to their model the other app's."""
        if "crm.lead" not in self.env or "guide.mixin" not in self.env["crm.lead"]._inherit_module:
            self.skipTest("the CRM's processes are not installed")
        sales_manager = new_test_user(
            self.env, login="guide_reason_sm", groups="sales_team.group_sale_manager"
        )
        Reason = self.env["guide.deviation.reason"]
        ticket_reason = Reason.create({"name": "Customer on holiday", "model_name": "helpdesk.ticket"})
        lead_reason = Reason.create({"name": "Budget frozen", "model_name": "crm.lead"})
        shared = Reason.create({"name": "Asked by the customer"})
        for user, own, other, model, other_model in (
            (self.user_manager, ticket_reason, lead_reason, "helpdesk.ticket", "crm.lead"),
            (sales_manager, lead_reason, ticket_reason, "crm.lead", "helpdesk.ticket"),
        ):
            for operation in (
                lambda r: r.write({"name": "Renamed"}),
                lambda r: r.write({"active": False}),
                lambda r: r.unlink(),
            ):
                with self.assertRaises(AccessError):
                    operation(other.with_user(user))
            with self.assertRaises(AccessError):
                Reason.with_user(user).create({"name": "Theirs", "model_name": other_model})
            with self.assertRaises(AccessError):
                own.with_user(user).write({"model_name": other_model})
            own.with_user(user).write({"name": f"{own.name}, checked"})
            shared.with_user(user).write({"description": f"Edited for {model}"})
            Reason.with_user(user).create({"name": "Mine", "model_name": model})

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
