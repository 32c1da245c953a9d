from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import GuideCommon


@tagged("post_install", "-at_install")
class TestSecurity(GuideCommon):
    def test_only_managers_configure(self):
        for model, vals in (
            ("guide.process", {"name": "Mine", "model_name": "crm.lead"}),
            ("guide.item", {"name": "Mine", "step_id": self.step_qualif.id}),
            ("guide.hint", {"name": "Mine", "model_name": "crm.lead"}),
        ):
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.user_salesman_all).create(vals)
            self.env[model].with_user(self.user_manager).create(vals)
        with self.assertRaises(AccessError):
            self.step_qualif.with_user(self.user_salesman).write({"gate_mode": "advisory"})
        # agents read the configuration they are guided by
        self.assertEqual(self.step_qualif.with_user(self.user_salesman).gate_mode, "block")

    def test_multi_company_rules(self):
        company_b = self.env["res.company"].create({"name": "Guide Company B"})
        user_b = self.env["res.users"].create(
            {
                "name": "Bob B",
                "login": "guide_bob_b",
                "company_id": company_b.id,
                "company_ids": [(6, 0, company_b.ids)],
                "groups_id": [(6, 0, self.env.ref("sales_team.group_sale_manager").ids)],
            }
        )
        process_b = self.env["guide.process"].create(
            {"name": "Process B", "model_name": "crm.lead", "company_id": company_b.id}
        )
        visible = self.env["guide.process"].with_user(user_b).search([])
        self.assertIn(process_b, visible)
        self.assertNotIn(process_b, self.env["guide.process"].with_user(self.user_manager).search([]))
        self.assertIn(self.process, visible, "processes without company are shared")

    def test_configuration_row_takes_its_parents_company(self):
        """A step's company and model, an item's process, model and company are their
        parent's (stored related fields, which the record rules read): a manager of company B
        writing one apart, created or written, is refused naming the field and the parent (a
        step of B's process claimed no company, and company A's salespeople read it); the
        parent's own value is accepted (an import of an export)."""
        company_b = self.env["res.company"].create({"name": "Guide Company F"})
        manager_b = new_test_user(
            self.env,
            login="guide_manager_f",
            groups="sales_team.group_sale_manager",
            company_id=company_b.id,
            company_ids=[(6, 0, company_b.ids)],
        )
        process_b = self.env["guide.process"].create(
            {"name": "Secret process", "model_name": "crm.lead", "company_id": company_b.id}
        )
        stage = self.env["crm.stage"].create({"name": "F-Stage", "sequence": 1020})
        step = self.env["guide.step"].create({"process_id": process_b.id, "crm_stage_id": stage.id})
        item = self.env["guide.item"].create({"name": "Secret item", "step_id": step.id})
        other = self.env["guide.process"].create({"name": "Other", "model_name": "crm.lead"})
        for records, vals in (
            (step, {"company_id": False}),
            (step, {"model_name": "res.partner"}),
            (item, {"company_id": False}),
            (item, {"process_id": other.id}),
        ):
            with self.subTest(model=records._name, vals=vals), self.assertRaises(UserError) as caught:
                records.with_user(manager_b).write(vals)
            self.assertIn("change it there", str(caught.exception))
        created = (
            self.env["guide.item"]
            .with_user(manager_b)
            .create({"name": "Shared?", "step_id": step.id, "company_id": False})
        )
        created.invalidate_recordset()
        self.assertEqual(created.company_id, company_b, "a creation takes its parent's (the ORM's)")
        self.assertEqual(
            (step.company_id, item.company_id, item.process_id), (company_b, company_b, process_b)
        )
        self.assertNotIn(step, self.env["guide.step"].with_user(self.user_salesman).search([]))
        step.with_user(manager_b).write({"company_id": company_b.id, "name": "Renamed"})
        self.assertEqual(step.name, "Renamed")

    def test_checklist_follows_its_lead_to_another_company(self):
        """A lead moved to another company (a process of no company still guides it) takes
        its checklist lines with it: its new company's users read and tick them, and what
        the form says is missing is what the gate asks for."""
        company_b = self.env["res.company"].create({"name": "Guide Company D"})
        user_both = new_test_user(
            self.env,
            login="guide_both_companies",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=self.company.id,
            company_ids=[(6, 0, (self.company | company_b).ids)],
        )
        user_b = new_test_user(
            self.env,
            login="guide_company_b_only",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=company_b.id,
            company_ids=[(6, 0, company_b.ids)],
        )
        lead = self._lead(company_id=self.company.id, user_id=user_both.id)
        self._tick(lead, "Budget confirmed")
        lead.with_user(user_both).with_context(
            allowed_company_ids=(self.company | company_b).ids
        ).company_id = company_b
        self.assertEqual(lead.guide_step_id, self.step_qualif)
        lines = self.env["guide.line"].search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)])
        self.assertEqual(lines.company_id, company_b)
        # its history goes with it: read where the lead is, by its new company's users
        history = self.env["guide.history"].search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)])
        self.assertTrue(history)
        self.assertEqual(history.company_id, company_b)
        History = self.env["guide.history"].with_user(user_b).with_context(allowed_company_ids=company_b.ids)
        self.assertEqual(History.search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)]), history)
        lead_b = lead.with_user(user_b).with_context(allowed_company_ids=company_b.ids)
        lead_b.invalidate_recordset()
        self.assertEqual(
            set(lead_b.guide_current_line_ids.mapped("name")),
            {"Budget confirmed", "Decision maker identified", "Expected revenue set", "Contact email known"},
        )
        self.assertIn("Decision maker identified", lead_b.guide_missing_items)
        self._lines(lead_b)["Decision maker identified"].action_check()
        self.assertTrue(self._lines(lead)["Decision maker identified"].checked)

    def test_checklist_follows_its_lead_handed_to_a_salesperson_of_another_company(self):
        """A lead whose company changes without being written (Odoo computes it from the
        salesperson: one who works for company B only) takes its checklist lines there too:
        the new salesperson reads and ticks them."""
        company_b = self.env["res.company"].create({"name": "Guide Company E"})
        user_b = new_test_user(
            self.env,
            login="guide_company_e_only",
            groups="sales_team.group_sale_salesman",
            company_id=company_b.id,
            company_ids=[(6, 0, company_b.ids)],
        )
        self.team.member_ids = [(4, user_b.id)]
        self.user_manager.company_ids = [(4, company_b.id)]
        lead = self._lead(company_id=self.company.id)
        self._tick(lead, "Budget confirmed")
        lead.with_user(self.user_manager).with_context(
            allowed_company_ids=(self.company | company_b).ids
        ).user_id = user_b
        self.assertEqual(lead.company_id, company_b, "Odoo moved the lead with its salesperson")
        lines = self.env["guide.line"].search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)])
        self.assertEqual(lines.company_id, company_b)
        lead_b = lead.with_user(user_b).with_context(allowed_company_ids=company_b.ids)
        lead_b.invalidate_recordset()
        self.assertIn("Budget confirmed", lead_b.guide_current_line_ids.mapped("name"))
        self._lines(lead_b)["Decision maker identified"].action_check()
        self.assertTrue(self._lines(lead)["Decision maker identified"].checked)

    def test_company_scope_matching(self):
        company_b = self.env["res.company"].create({"name": "Guide Company C"})
        self.process.company_id = company_b
        lead = self._lead()
        self.assertFalse(
            lead.guide_process_id, "a process of company C does not guide leads of the main company"
        )

    def test_process_owner_is_an_employee_of_its_company(self):
        """The owner follows the agents' feedback: a portal user or a user of another company
        is refused at save, naming the process; an owner set before owners were checked (since
        made a portal user) does not follow the new feedback."""
        portal = new_test_user(self.env, login="guide_owner_portal", groups="base.group_portal")
        process = self.process.with_user(self.user_manager)
        with self.assertRaisesRegex(ValidationError, "cannot own it"):
            process.write({"owner_id": portal.id})
        company_b = self.env["res.company"].create({"name": "Owner Company B"})
        user_b = new_test_user(
            self.env,
            login="guide_owner_b",
            groups="sales_team.group_sale_manager",
            company_id=company_b.id,
            company_ids=[(6, 0, company_b.ids)],
        )
        self.process.company_id = self.env.company
        with self.assertRaisesRegex(ValidationError, "Process Owner must be of"):
            process.write({"owner_id": user_b.id})
        self.env.cr.execute(
            "UPDATE guide_process SET owner_id = %s WHERE id = %s", (portal.id, self.process.id)
        )
        self.process.invalidate_recordset(["owner_id"])
        feedback = (
            self.env["guide.feedback"]
            .with_user(self.user_salesman)
            .create({"name": "Skip the budget call", "process_id": self.process.id})
        )
        self.assertNotIn(portal.partner_id, feedback.message_partner_ids)

    def test_feedback_review_reserved_to_managers(self):
        lead = self._lead()
        action = lead.with_user(self.user_salesman).action_guide_feedback()
        feedback = (
            self.env["guide.feedback"]
            .with_user(self.user_salesman)
            .with_context(**action["context"])
            .create({"name": "Budget check is redundant for renewals"})
        )
        self.assertEqual(feedback.step_id, self.step_qualif)
        self.assertEqual(feedback.res_id, lead.id)
        with self.assertRaises(UserError):
            feedback.action_accept()
        feedback.with_user(self.user_manager).action_accept()
        self.assertEqual(feedback.state, "accepted")
        self.assertEqual(self.process.feedback_new_count, 0)

    def test_engine_administrator_configures_lead_processes(self):
        """The engine's administrator group (no Sales group) configures lead processes
        and reviews feedback; Settings administrators have it."""
        self.assertTrue(self.env.ref("base.user_admin").has_group("base_process_guide.group_guide_manager"))
        engine_admin = new_test_user(
            self.env, login="guide_engine_admin", groups="base_process_guide.group_guide_manager"
        )
        self.assertFalse(engine_admin.has_group("sales_team.group_sale_salesman"))
        self.process.with_user(engine_admin).write({"name": "B2B 2"})
        self.step_qualif.with_user(engine_admin).write({"gate_mode": "advisory"})
        self.env["guide.process"].with_user(engine_admin).create({"name": "Mine", "model_name": "crm.lead"})
        feedback = self.env["guide.feedback"].create({"name": "Shorter", "process_id": self.process.id})
        feedback.with_user(engine_admin).action_accept()
        self.assertEqual(feedback.state, "accepted")
        # an engine user reads the configuration and does not change it
        engine_user = new_test_user(
            self.env, login="guide_engine_user", groups="base_process_guide.group_guide_user"
        )
        self.assertEqual(self.process.with_user(engine_user).name, "B2B 2")
        with self.assertRaises(AccessError):
            self.process.with_user(engine_user).write({"name": "Hacked"})

    def test_feedback_answer_shown_to_agents_editable_by_administrators(self):
        view = self.env.ref("base_process_guide.guide_feedback_view_form")
        Feedback = self.env["guide.feedback"]
        agent_arch = Feedback.with_user(self.user_salesman).get_view(view.id)["arch"]
        manager_arch = Feedback.with_user(self.user_manager).get_view(view.id)["arch"]
        self.assertIn('name="answer"', agent_arch, "agents read the answer to their feedback")
        self.assertNotIn('name="answer_edit"', agent_arch)
        self.assertNotIn('name="action_accept"', agent_arch)
        self.assertIn('name="answer_edit"', manager_arch, "sales managers answer")
        self.assertIn('name="action_accept"', manager_arch)
