from odoo.tests import Form, tagged

from .common import T0, HelpdeskEscalationCommon


@tagged("post_install", "-at_install")
class TestTicketRuleDeletion(HelpdeskEscalationCommon):
    """A ticket's escalation log keeps the names of its rule and level when they are deleted."""

    def test_manual_escalation_log_keeps_the_names(self):
        rule = self._rule(name="Hardware SLA")
        with self._at(T0):
            ticket = self._ticket()
        with self._at(self._h(1)):
            action = ticket.with_user(self.user_agent).action_escalation_open_wizard()
            form = Form(
                self.env[action["res_model"]].with_user(self.user_agent).with_context(**action["context"])
            )
            form.rule_id = rule
            form.level_id = rule.level_ids.sorted("sequence")[0]
            form.reason = "Needs a specialist"
            form.save().action_confirm()
        log = self._logs(ticket, kind="manual")
        self.assertEqual((log.rule_name, log.level_name), ("Hardware SLA", "L1 team leader"))
        rule.with_user(self.user_manager).unlink()
        log.invalidate_recordset()
        self.assertFalse(log.rule_id)
        self.assertEqual((log.rule_name, log.level_name), ("Hardware SLA", "L1 team leader"))
