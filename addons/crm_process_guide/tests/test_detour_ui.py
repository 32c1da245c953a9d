from odoo.tests import HttpCase, tagged

from .test_detour import DetourCommon


@tagged("post_install", "-at_install")
class TestDetourUi(HttpCase, DetourCommon):
    def test_enter_and_complete_an_alternate_step(self):
        self.alt_waiting.item_ids = [(0, 0, {"name": "Customer answered"})]
        lead = self._lead(name="Tour detour", stage_id=self.stage_proposal.id)
        self.start_tour(
            f"/odoo/action-crm.crm_lead_action_pipeline/{lead.id}",
            "crm_process_guide_detour_tour",
            login=self.user_salesman.login,
        )
        self.assertFalse(lead.guide_alt_step_id)
        history = self._history(lead).filtered(lambda row: row.alt_step_id == self.alt_waiting)
        self.assertEqual(history.mapped("direction"), ["detour", "return"])
        self.assertEqual(history[0].note, "Customer on holiday until Monday")
        self.assertEqual(history[0].user_id, self.user_salesman)

    def test_branch_shown_in_the_panel(self):
        self.env["guide.step.branch"].create(
            [
                {
                    "step_id": self.step_proposal.id,
                    "to_step_id": self.alt_legal.id,
                    "domain": "[('expected_revenue', '>', 100000)]",
                    "name": "Deals above 100,000 need a legal review",
                },
                {"step_id": self.step_proposal.id, "to_step_id": self.step_nego.id, "sequence": 20},
            ]
        )
        lead = self._lead(name="Tour branch", stage_id=self.stage_proposal.id, expected_revenue=500)
        self.start_tour(
            f"/odoo/action-crm.crm_lead_action_pipeline/{lead.id}",
            "crm_process_guide_branch_tour",
            login=self.user_salesman.login,
        )
