import ast

from odoo.osv import expression
from odoo.tests import Form, tagged

from .common import GuideCommon


@tagged("post_install", "-at_install")
class TestProcessMatching(GuideCommon):
    def test_scope_by_team_and_type(self):
        lead = self._lead()
        self.assertEqual(lead.guide_process_id, self.process)
        self.assertEqual(lead.guide_step_id, self.step_qualif)
        other = self._lead(team_id=self.other_team.id)
        self.assertFalse(other.guide_process_id)
        self.assertFalse(other.guide_step_id)
        self.process.lead_type = "lead"
        self.assertFalse(lead.guide_process_id)
        self.assertEqual(self._lead(type="lead").guide_process_id, self.process)

    def test_rematch_when_scope_changes(self):
        lead = self._lead(team_id=self.other_team.id)
        self.assertFalse(lead.guide_current_line_ids)
        lead.team_id = self.team
        self.assertEqual(lead.guide_process_id, self.process)
        self.assertEqual(len(lead.guide_current_line_ids), 5 - 1)  # tender item does not apply

    def test_condition_and_sequence(self):
        big = self.env["guide.process"].create(
            {
                "name": "Key accounts",
                "sequence": 1,
                "model_name": "crm.lead",
                "domain": "[('expected_revenue', '>=', 100000)]",
            }
        )
        lead = self._lead(expected_revenue=1000)
        self.assertEqual(lead.guide_process_id, self.process)
        # the process condition reads expected_revenue: writing it re-matches the record
        lead.expected_revenue = 200000
        self.assertEqual(lead.guide_process_id, big)
        self.assertFalse(lead.guide_step_id, "the key-account process has no step for this stage")
        big.active = False
        self.assertEqual(lead.guide_process_id, self.process)

    def test_new_process_guides_existing_records(self):
        self.process.active = False
        lead = self._lead()
        self.assertFalse(lead.guide_process_id)
        self.process.active = True
        self.assertEqual(lead.guide_process_id, self.process)
        self.assertEqual(lead.guide_step_id, self.step_qualif)
        self.assertTrue(lead.guide_current_line_ids, "lines instantiated for records already in the step")

    def test_post_init_hook_instantiates_lines(self):
        from ..hooks import post_init_hook

        lead = self._lead()
        lead.guide_line_ids.sudo().unlink()
        self.assertFalse(lead.guide_current_line_ids)
        post_init_hook(self.env)
        lead.invalidate_recordset()
        self.assertEqual(len(lead.guide_current_line_ids), 4)

    def test_condition_count_stays_within_the_scope(self):
        """The condition editor counts the records of the process's scope only
        (issue 13: "the condition says 38 record(s) though the scope is narrower")."""
        self.process.lead_type = "opportunity"
        in_scope = self._lead(expected_revenue=5000)
        self._lead(expected_revenue=5000, team_id=self.other_team.id)
        self._lead(expected_revenue=5000, type="lead")
        self._lead(expected_revenue=10)
        self.process.domain = "[('expected_revenue', '>=', 1000)]"
        process = self.process.with_user(self.user_manager)
        scope = ast.literal_eval(process.scope_domain)
        Lead = self.env["crm.lead"].with_user(self.user_manager)
        condition = self.env["guide.process"]._guide_parse_domain(process.domain, "crm.lead")
        self.assertEqual(Lead.search(expression.AND([scope, condition])), in_scope)
        # the same scope as the one the engine matches on
        self.assertEqual(Lead.search(scope), Lead.search([])._guide_match_scope(self._config_entry(process)))
        # an unsaved change of the scope counts at once (onchange)
        with Form(process) as form:
            form.lead_type = "both"
            self.assertNotIn("type", form.scope_domain)

    def _config_entry(self, process):
        config = self.env["guide.process"]._get_guide_config("crm.lead")
        return next(entry for entry in config["processes"] if entry["id"] == process.id)
