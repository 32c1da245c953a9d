from odoo.tests import HttpCase, tagged

from .common import EscalationCommon


@tagged("post_install", "-at_install")
class TestUi(HttpCase, EscalationCommon):
    def test_escalate_and_acknowledge_in_the_form(self):
        lead = self._lead(name="Tour escalation")
        url = f"/odoo/action-crm.crm_lead_action_pipeline/{lead.id}"
        # a sales manager hands the opportunity over to the team leader
        self.start_tour(url, "crm_escalation_escalate_tour", login="admin")
        log = self._logs(lead, kind="manual")
        self.assertEqual(log.user_id, self.env.ref("base.user_admin"))
        self.assertEqual(log.from_user_id, self.user_salesman)
        self.assertEqual(log.to_user_id, self.user_leader)
        self.assertEqual(log.reason, "Customer asks for a specialist")
        self.assertEqual(lead.user_id, self.user_leader)
        # the team leader takes it over
        self.start_tour(url, "crm_escalation_acknowledge_tour", login="esc_salesman_all")
        self.assertEqual(log.ack_user_id, self.user_leader)
        self.assertTrue(log.ack_date)
