from odoo.tests import HttpCase, new_test_user, tagged

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

    def test_level_dialog_opens_on_its_sections(self):
        """The escalation level dialog shows *When* right under its title, no empty band
        above it (the form's padding and the first sections' margin)."""
        rule = self.env["escalation.rule"].create(
            {**self._rule_defaults(), "level_ids": [(0, 0, {"name": "L1", "delay": 1})]}
        )
        url = f"/odoo/action-crm_escalation.escalation_rule_action/{rule.id}"
        self.start_tour(url, "crm_escalation_level_dialog_tour", login="admin")

    def test_step_tags_short_beside_their_process(self):
        self.process.name = "B2B Sales"
        self.step_qualif.name = "Tag Qualif"
        rule = self.env["escalation.rule"].create(
            {
                **self._rule_defaults(),
                "step_ids": [(6, 0, self.step_qualif.ids)],
                "level_ids": [(0, 0, {"name": "L1", "delay": 1})],
            }
        )
        url = f"/odoo/action-crm_escalation.escalation_rule_action/{rule.id}"
        self.start_tour(url, "guide_step_tags_tour", login="admin")

    def test_own_documents_salesperson_hands_over_in_the_form(self):
        colleague = new_test_user(
            self.env,
            login="esc_colleague_tour",
            groups="sales_team.group_sale_salesman",
            name="Carl Colleague",
        )
        self.team.member_ids = [(4, colleague.id)]
        lead = self._lead(name="Tour hand over")
        self.assertEqual(lead.type, "opportunity")
        url = f"/odoo/action-crm.crm_lead_action_pipeline/{lead.id}"
        self.start_tour(url, "crm_escalation_hand_over_tour", login="esc_salesman")
        self.assertEqual(lead.user_id, colleague)
        self.assertFalse(lead.with_user(self.user_salesman).has_access("read"))
        log = self._logs(lead, kind="manual")
        self.assertEqual(len(log), 1)
        self.assertEqual(log.user_id, self.user_salesman)
        self.assertEqual(log.from_user_id, self.user_salesman)
        self.assertEqual(log.to_user_id, colleague)
        self.assertEqual(log.reason, "Carl speaks the customer's language")
