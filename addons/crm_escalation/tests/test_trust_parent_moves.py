"""Sales managers configure the lead escalation rules, helpdesk managers the ticket rules: a
level moved into a rule of the other model, or a rule turned to the other model, is judged
where it goes, not where it was (Odoo's record rules judge a write by the rows before it)."""

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import EscalationCommon


@tagged("post_install", "-at_install")
class TestTrustParentMovesEscalation(EscalationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Module = cls.env["ir.module.module"]
        cls.helpdesk = Module.search([("name", "=", "helpdesk_escalation"), ("state", "=", "installed")])
        if not cls.helpdesk:
            return
        cls.user_hd_manager = new_test_user(
            cls.env,
            login="esc_hd_manager",
            groups="helpdesk_mgmt.group_helpdesk_manager",
            name="Hal Helpdesk",
        )

        def rule(model_name, name):
            levels = [(0, 0, {"name": f"{name} L{seq}", "kind": "warning", "delay": seq}) for seq in (1, 2)]
            return cls.env["escalation.rule"].create(
                {
                    "name": name,
                    "model_name": model_name,
                    "trigger_type": "creation",
                    "active": False,
                    "level_ids": levels,
                }
            )

        cls.lead_rule = rule("crm.lead", "Lead rule")
        cls.lead_rule_2 = rule("crm.lead", "Lead rule 2")
        cls.ticket_rule = rule("helpdesk.ticket", "Ticket rule")
        cls.ticket_rule_2 = rule("helpdesk.ticket", "Ticket rule 2")

    def setUp(self):
        super().setUp()
        if not self.helpdesk:
            self.skipTest("helpdesk_escalation is not installed")

    def _refused(self, user, record, vals):
        before = {fname: record[fname] for fname in vals}
        with self.assertRaises(AccessError):
            record.with_user(user).write(vals)
        self.env.invalidate_all()
        for fname, value in before.items():
            self.assertEqual(record[fname], value, f"{record._name}.{fname} moved")

    def test_sales_manager_moves_no_level_into_a_ticket_rule(self):
        level = self.lead_rule.level_ids[0]
        self._refused(self.user_manager, level, {"rule_id": self.ticket_rule.id})
        # after the levels there, its delay later than theirs
        level.with_user(self.user_manager).write({"rule_id": self.lead_rule_2.id, "delay": 3, "sequence": 20})
        self.assertEqual(level.rule_id, self.lead_rule_2)

    def test_helpdesk_manager_moves_no_level_into_a_lead_rule(self):
        level = self.ticket_rule.level_ids[0]
        self._refused(self.user_hd_manager, level, {"rule_id": self.lead_rule.id})
        level.with_user(self.user_hd_manager).write(
            {"rule_id": self.ticket_rule_2.id, "delay": 3, "sequence": 20}
        )
        self.assertEqual(level.rule_id, self.ticket_rule_2)

    def test_rule_not_turned_to_the_other_model(self):
        self._refused(self.user_manager, self.lead_rule, {"model_name": "helpdesk.ticket"})
        self._refused(self.user_hd_manager, self.ticket_rule, {"model_name": "crm.lead"})

    def test_rule_that_timed_records_keeps_its_model(self):
        # a rule that never timed a record may still be turned to the other model
        self.lead_rule_2.write({"model_name": "helpdesk.ticket"})
        self.assertEqual(self.lead_rule_2.model_name, "helpdesk.ticket")
        self.lead_rule.write({"active": True})
        lead = self._lead()
        self.assertTrue(self.Clock.search([("rule_id", "=", self.lead_rule.id), ("res_id", "=", lead.id)]))
        with self.assertRaises(ValidationError) as caught:
            self.lead_rule.write({"model_name": "helpdesk.ticket"})
        message = str(caught.exception)
        self.assertIn("Lead rule", message)
        self.assertIn("cannot be changed", message)
        self.assertNotIn("crm.lead", message)
        self.env.invalidate_all()
        self.assertEqual(self.lead_rule.model_name, "crm.lead")
        # the other fields stay editable
        self.lead_rule.write({"name": "Lead rule renamed"})
