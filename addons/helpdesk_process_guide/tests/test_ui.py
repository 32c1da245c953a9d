from odoo.tests import HttpCase, tagged

from .common import HelpdeskGuideCommon


@tagged("post_install", "-at_install")
class TestUi(HttpCase, HelpdeskGuideCommon):
    def test_ticket_form_checklist_and_gate(self):
        ticket = self._ticket(name="Tour ticket")
        self.start_tour(
            f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{ticket.id}",
            "helpdesk_process_guide_tour",
            login=self.user_own.login,
        )
        line = self._lines(ticket)["Impact assessed"]
        self.assertTrue(line.checked)
        self.assertEqual(line.checked_by_id, self.user_own)
        self.assertEqual(ticket.stage_id, self.stage_triage)
