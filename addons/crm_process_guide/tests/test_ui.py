from odoo.tests import HttpCase, tagged

from .common import GuideCommon


@tagged("post_install", "-at_install")
class TestUi(HttpCase, GuideCommon):
    def test_form_checklist_and_gate(self):
        # as a salesperson who sees their own documents only
        lead = self._lead(name="Tour deal")
        self.start_tour(
            f"/odoo/action-crm.crm_lead_action_pipeline/{lead.id}",
            "crm_process_guide_tour",
            login=self.user_salesman.login,
        )
        line = self._lines(lead)["Budget confirmed"]
        self.assertTrue(line.checked)
        self.assertEqual(line.checked_by_id, self.user_salesman)
        self.assertEqual(lead.stage_id, self.stage_qualif)

    def test_hint_acknowledged_on_the_record(self):
        self.env["guide.hint"].search([]).active = False
        hint = self.env["guide.hint"].create(
            {
                "name": "Large deal",
                "body": "<p>Involve an architect.</p>",
                "model_name": "crm.lead",
                "domain": "[('expected_revenue', '>=', 50000)]",
                "requires_ack": True,
            }
        )
        lead = self._lead(name="Tour big deal", expected_revenue=80000)
        self.start_tour(
            f"/odoo/action-crm.crm_lead_action_pipeline/{lead.id}",
            "crm_process_guide_hint_tour",
            login=self.user_salesman.login,
        )
        feedback = self.env["guide.hint.feedback"].search([("hint_id", "=", hint.id)])
        self.assertEqual(feedback.mapped("kind"), ["ack"])
        self.assertEqual(feedback.user_id, self.user_salesman)

    def test_process_condition_counts_its_scope(self):
        self.process.write({"lead_type": "opportunity", "domain": "[('name', 'ilike', 'Scope count')]"})
        self._lead(name="Scope count 1")
        self._lead(name="Scope count 2")
        self._lead(name="Scope count lead", type="lead")
        self._lead(name="Scope count other team", team_id=self.other_team.id)
        self._lead(name="Scope count other team 2", team_id=self.other_team.id)
        self.start_tour(
            f"/odoo/action-crm_process_guide.guide_process_action/{self.process.id}",
            "guide_process_scope_count_tour",
            login="admin",
        )

    def test_step_tags_short_beside_their_process(self):
        self.step_qualif.name = "Tag Qualif"
        Hint = self.env["guide.hint"]
        values = {"model_name": "crm.lead", "body": "<p>Tags</p>", "step_ids": [(6, 0, self.step_qualif.ids)]}
        hint = Hint.create({**values, "name": "Tag hint of the process", "process_id": self.process.id})
        Hint.create({**values, "name": "Tag hint of every process"})
        url = "/odoo/action-crm_process_guide.guide_hint_action"
        self.start_tour(url, "guide_hint_step_tags_tour", login="admin")
        self.start_tour(f"{url}/{hint.id}", "guide_step_tags_tour", login="admin")

    def test_new_process_items_count_its_typed_scope(self):
        self._lead(name="Scope new 1", team_id=self.other_team.id)
        self._lead(name="Scope new 2", team_id=self.other_team.id)
        self._lead(name="Scope new lead", team_id=self.other_team.id, type="lead")
        self.start_tour(
            "/odoo/action-crm_process_guide.guide_process_action",
            "guide_process_new_scope_count_tour",
            login="admin",
        )

    def test_adaptive_conditions_count_their_process(self):
        self.process.write({"lead_type": "opportunity", "domain": "[('name', 'ilike', 'Scope count')]"})
        condition = "[('name', 'ilike', 'Scope')]"
        self.env["guide.milestone"].create(
            {"process_id": self.process.id, "name": "Scope milestone", "condition": condition}
        )
        self.env["guide.task"].create(
            {"step_id": self.step_qualif.id, "name": "Scope task", "suggest_domain": condition}
        )
        self._lead(name="Scope count 1")
        self._lead(name="Scope count 2")
        self._lead(name="Scope count lead", type="lead")
        self._lead(name="Scope other team", team_id=self.other_team.id)
        self.start_tour(
            f"/odoo/action-crm_process_guide.guide_process_action/{self.process.id}",
            "guide_adaptive_scope_count_tour",
            login="admin",
        )

    def test_add_an_optional_task(self):
        task = self.env["guide.task"].create(
            {
                "step_id": self.step_qualif.id,
                "name": "Tour questionnaire",
                "mandatory": True,
                "suggest_domain": "[('expected_revenue', '>=', 50000)]",
            }
        )
        lead = self._lead(name="Tour task deal", expected_revenue=80000)
        self.start_tour(
            f"/odoo/action-crm.crm_lead_action_pipeline/{lead.id}",
            "crm_process_guide_task_tour",
            login=self.user_salesman.login,
        )
        log = self.env["guide.task.log"].search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)])
        self.assertEqual(
            (log.task_id, log.user_id, log.note), (task, self.user_salesman, "Public sector customer")
        )
        self.assertIn("Tour questionnaire", self._lines(lead))
        self.assertTrue(lead.guide_blocked)

    def test_new_process_designed_before_its_first_save(self):
        self.start_tour(
            "/odoo/action-crm_process_guide.guide_process_action",
            "guide_process_new_tour",
            login="admin",
        )
        process = self.env["guide.process"].search([("name", "=", "Tour new process")])
        self.assertEqual(process.model_name, "crm.lead")
        self.assertEqual(process.step_ids.crm_stage_id, self.stage_proposal)
        self.assertEqual(process.step_ids.item_ids.mapped("name"), ["Tour item"])
        self.assertEqual(process.milestone_ids.mapped("name"), ["Tour milestone"])
