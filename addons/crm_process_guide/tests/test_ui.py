from odoo.tests import HttpCase, tagged

from .common import GuideCommon


@tagged("post_install", "-at_install")
class TestUi(HttpCase, GuideCommon):
    def test_form_checklist_and_gate(self):
        lead = self._lead(name="Tour deal", user_id=self.env.ref("base.user_admin").id)
        self.start_tour(
            f"/odoo/action-crm.crm_lead_action_pipeline/{lead.id}", "crm_process_guide_tour", login="admin"
        )
        line = self._lines(lead)["Budget confirmed"]
        self.assertTrue(line.checked)
        self.assertEqual(line.checked_by_id, self.env.ref("base.user_admin"))
        self.assertEqual(lead.stage_id, self.stage_qualif)
